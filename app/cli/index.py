"""`offer-assistant index`: build the benefits index; `offer-assistant eval retrieval`: measure its quality."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from app.cli.context import settings_of
from app.wiring import retrieval_config
from retrieval import BenefitsIndex, IndexReport, RetrievalConfig, RetrievalError
from retrieval.evaluation import MODES, ModeScores, evaluate, load_eval_set

TARGET_HIT_AT_1 = 0.85
TARGET_HIT_AT_5 = 0.95


def default_eval_file(benefits_dir: Path) -> Path:
    """The labelled set sits next to the documents: `<benefits_dir>-eval.jsonl` (demo/benefits-eval.jsonl)."""
    return benefits_dir.with_name(f"{benefits_dir.name}-eval.jsonl")


def register(cli: typer.Typer) -> None:
    cli.command("index")(index)
    evaluation = typer.Typer(help="Quality measurements.", no_args_is_help=True)
    evaluation.command("retrieval")(eval_retrieval)
    cli.add_typer(evaluation, name="eval")


def index(
    ctx: typer.Context,
    benefits_dir: Annotated[
        Path | None, typer.Option("--benefits-dir", help="Folder of benefits documents (default benefits_dir).")
    ] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the index and embed everything again.")] = False,
) -> None:
    """Index the benefits documents: only new and changed documents are embedded; deleted ones are removed."""
    console = Console(soft_wrap=True)
    config = retrieval_config(settings_of(ctx), benefits_dir)
    try:
        report = _build_with_progress(BenefitsIndex(config), console, rebuild)
    except RetrievalError as exc:
        console.print(f"[red]cannot index:[/red] {exc}")
        raise typer.Exit(2) from exc
    print_report(console, report, config)


def eval_retrieval(
    ctx: typer.Context,
    eval_file: Annotated[
        Path | None,
        typer.Option("--eval-file", help="Labelled questions, JSON lines (default <benefits_dir>-eval.jsonl)."),
    ] = None,
    benefits_dir: Annotated[Path | None, typer.Option("--benefits-dir", help="Folder the labels refer to.")] = None,
    k: Annotated[int, typer.Option("--k", min=1, help="Cut-off for hit@k.")] = 5,
    show_misses: Annotated[
        bool, typer.Option("--show-misses", help="List the questions missed in hybrid mode.")
    ] = False,
) -> None:
    """hit@1, hit@k and MRR of hybrid, dense-only and BM25-only search on a labelled question set."""
    console = Console(soft_wrap=True)
    config = retrieval_config(settings_of(ctx), benefits_dir)
    path = eval_file or default_eval_file(config.benefits_dir)
    try:
        questions = load_eval_set(path)
        benefits = BenefitsIndex(config)
        report = benefits.build()  # incremental: a no-op when the index is current
        if report.chunks_embedded:
            console.print(f"indexed {report.chunks_embedded} new chunks first")
        scores = evaluate(benefits, questions, MODES, k)
    except RetrievalError as exc:
        console.print(f"[red]cannot evaluate:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(scores_table(scores, path, len(questions)))
    hybrid = next(s for s in scores if s.mode == "hybrid")
    console.print(
        f"targets (hybrid): hit@1 >= {TARGET_HIT_AT_1:.2f} {_verdict(hybrid.hit_at_1 >= TARGET_HIT_AT_1)}, "
        f"hit@5 >= {TARGET_HIT_AT_5:.2f} {_verdict(k != 5 or hybrid.hit_at_k >= TARGET_HIT_AT_5)}"
    )
    if show_misses:
        by_id = {q.id: q for q in questions}
        for miss in hybrid.misses:
            console.print(f"  missed {miss}: {by_id[miss].question} -> {by_id[miss].doc_id}")


def _build_with_progress(benefits: BenefitsIndex, console: Console, rebuild: bool) -> IndexReport:
    columns = (TextColumn("embedding"), BarColumn(), MofNCompleteColumn(), TextColumn("chunks"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("embedding", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return benefits.build(progress=advance, rebuild=rebuild)


def print_report(console: Console, report: IndexReport, config: RetrievalConfig) -> None:
    where = config.qdrant_url or str(config.qdrant_path)
    console.print(f"benefits index [bold]{config.collection}[/bold] at {where} from {config.benefits_dir}")
    if report.rebuilt:
        console.print(f"  rebuilt: {report.rebuilt}")
    for label, items in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        console.print(f"  {label}: {len(items)}" + "".join(f"\n    {item}" for item in items))
    console.print(f"  unchanged: {len(report.unchanged)}")
    console.print(f"  skipped: {len(report.skipped)}")
    for skipped in report.skipped:
        console.print(f"    {skipped.path}: {skipped.kind} - {skipped.reason}", markup=False)
    for path in report.kept_previous:
        console.print(f"    {path}: the previously indexed version stays searchable until the file is fixed")
    jurisdictions = ", ".join(f"{code} {count}" for code, count in report.documents_by_jurisdiction.items())
    console.print(f"  documents by jurisdiction: {jurisdictions}")
    rate = f" ({report.chunks_per_second:.0f} chunks/s)" if report.chunks_embedded else ""
    console.print(
        f"  chunks: {report.chunks_embedded} embedded{rate}, {report.chunks_deleted} deleted, "
        f"{report.chunks_total} in the index; {report.seconds:.1f} s"
    )


def scores_table(scores: list[ModeScores], path: Path, questions: int) -> Table:
    k = scores[0].k if scores else 5
    table = Table(title=f"retrieval on {questions} labelled questions ({path.name})")
    for column in ("mode", "hit@1", f"hit@{k}", "MRR", "p50 ms", "missed"):
        table.add_column(column, justify="left" if column == "mode" else "right")
    for s in scores:
        table.add_row(
            s.mode, f"{s.hit_at_1:.3f}", f"{s.hit_at_k:.3f}", f"{s.mrr:.3f}", f"{s.p50_ms:.1f}", str(len(s.misses))
        )
    return table


def _verdict(ok: bool) -> str:
    return "(met)" if ok else "(NOT met)"
