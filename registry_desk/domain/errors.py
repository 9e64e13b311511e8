"""Errors a user can cause: each carries a Chinese message naming the rule and the record."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the counter shows to the user as it is.

    `rule` names the rule that was broken (e.g. "条例第十四条 共同申请"), `record` the record it concerns
    (a unit number, a certificate number, a case number). The message is complete Chinese text.
    """

    def __init__(self, message: str, *, rule: str = "", record: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.record = record

    def __str__(self) -> str:
        parts = [self.message]
        if self.rule:
            parts.append(f"（依据：{self.rule}）")
        if self.record:
            parts.append(f"［记录：{self.record}］")
        return "".join(parts)


class ValidationError(DomainError):
    """Input that fails a format or check-digit rule."""


class RuleViolation(DomainError):
    """A business rule refuses the operation (seized unit, missing co-owner, ...)."""


class NotFound(DomainError):
    """The record asked for does not exist."""


class PermissionDenied(DomainError):
    """The signed-in account's role may not perform the operation."""


class ConflictError(DomainError):
    """Someone else changed the record first (optimistic versioning) or it is locked."""
