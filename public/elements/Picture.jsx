// A chart or a letter page at its natural size, shrunk (never stretched) to the width of the chat
// (app/review/pictures.py). Rendered by Chainlit's custom-element runner; `props` is injected:
// {src: a data: URL, alt, width, height}.
export default function Picture() {
  return (
    <img
      src={props.src}
      alt={props.alt}
      width={props.width}
      height={props.height}
      style={{ display: "block", width: "100%", maxWidth: `${props.width}px`, height: "auto", margin: "4px 0" }}
    />
  );
}
