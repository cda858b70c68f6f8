"""Messages a person acts on, in any of the console's languages.

A service refuses what it is asked with a `Problem`: an English message template (also the
id of its translation in the console's catalogs) and the values to put in it. `str()` of
the problem is the English text the API and the command line show; the console shows the
same message in the reader's language (`server.console.web.say`). Words inside a message
that must be translated too (a role, a field's name) are given as a `Phrase`.

`make console-messages` extracts the templates from the calls of these classes (and of
`phrase`), so a template must be a string literal at the call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Phrase:
    """An English template with its values; the English text is `str()`."""

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.render(lambda message: message)

    def render(self, gettext: Callable[[str], str]) -> str:
        """The text in the language `gettext` translates to (values that are phrases too)."""
        text = gettext(self.template)
        if not self.values:
            return text
        values = {
            k: v.render(gettext) if isinstance(v, Phrase) else v for k, v in self.values.items()
        }
        return text.format(**values)


def phrase(template: str, /, **values: Any) -> Phrase:
    return Phrase(template, values)


class Problem(ValueError):
    """What a person asked for that cannot be done as asked; the message says why."""

    def __init__(self, template: str | Phrase, /, **values: Any) -> None:
        self.phrase = template if isinstance(template, Phrase) else Phrase(template, values)
        super().__init__(str(self.phrase))
