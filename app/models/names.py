"""How a person's name reads: the same for doctors and patients."""


class PersonName:
    """For a model with last_name, first_name and middle_name columns."""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        """Иванов И. И."""
        initials = " ".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name} {initials}".strip()
