"""How a person's name reads: the same for doctors and patients."""


def short_name(last_name: str, first_name: str | None, middle_name: str | None) -> str:
    """Иванов И. И."""
    initials = " ".join(f"{p[0]}." for p in (first_name, middle_name) if p)
    return f"{last_name} {initials}".strip()


class PersonName:
    """For a model with last_name, first_name and middle_name columns."""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        return short_name(self.last_name, self.first_name, self.middle_name)
