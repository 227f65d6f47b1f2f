"""The contact settings a user can change per workspace."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from abm.workspace.sections import N_, SettingsSection


class ContactSettings(SettingsSection):
    """What the workspace keeps about contacts beyond their work: off by default, a
    contact's gender is kept, imported and targeted on only where the workspace
    decides to (International Women's Day to women, Defender of the Fatherland Day
    to men)."""

    prefix: ClassVar[str] = "contacts"

    greetings_by_gender: bool = Field(default=False, description=N_(
        "Keep contacts' gender and send gendered holidays (8 March, 23 February) only to "
        "the contacts they are for"))
