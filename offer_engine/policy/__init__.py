"""The company policy: salary bands, approval rules, the clause library, letter templates, negotiation limits.

One TOML file per company (format in docs/policy.md); `load_policy` validates it completely at load time.
"""

from __future__ import annotations

from offer_engine.policy.expressions import Expression, ExpressionError, parse
from offer_engine.policy.loader import load_policy
from offer_engine.policy.model import (
    ROLES,
    ApprovalStepSpec,
    Clause,
    CompanyPolicy,
    Letterhead,
    LetterTemplate,
    Negotiation,
    NegotiationTerm,
    PolicyError,
    Role,
)
from offer_engine.policy.scope import Band, Scope, jurisdiction_matches
from offer_engine.policy.templating import BUILTIN_TEMPLATES, static_fragments

__all__ = [
    "BUILTIN_TEMPLATES",
    "ROLES",
    "ApprovalStepSpec",
    "Band",
    "Clause",
    "CompanyPolicy",
    "Expression",
    "ExpressionError",
    "LetterTemplate",
    "Letterhead",
    "Negotiation",
    "NegotiationTerm",
    "PolicyError",
    "Role",
    "Scope",
    "jurisdiction_matches",
    "load_policy",
    "parse",
    "static_fragments",
]
