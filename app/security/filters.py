"""Row-level rules as FAB filters, for base_filters and *_query_rel_fields.

Use as ``[["<column>", Filter, None]]``: the column names which attribute carries the МО.
"""
from flask_appbuilder.models.filters import BaseFilter

from app.security.access import (
    assignable_roles_clause,
    current_actor,
    managed_users_clause,
    own_organization_clause,
)


class OwnOrganizationFilter(BaseFilter):
    name = "own organization"

    def apply(self, query, value):
        return query.filter(own_organization_clause(current_actor(), getattr(self.model, self.column_name)))


class ManagedUsersFilter(BaseFilter):
    name = "managed users"

    def apply(self, query, value):
        return query.filter(managed_users_clause(current_actor(), self.model))


class AssignableRolesFilter(BaseFilter):
    name = "assignable roles"

    def apply(self, query, value):
        return query.filter(assignable_roles_clause(current_actor(), self.model))
