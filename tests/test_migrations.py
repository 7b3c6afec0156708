"""The schema belongs to migrations: upgrading an empty database gives exactly the models."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from app.models.help import in_models
from tests.conftest import make_app
from tests.databases import backends, drop_database, fresh_database


@pytest.fixture(params=backends())
def empty_app(request, tmp_root):
    url = fresh_database(request.param, tmp_root)
    yield make_app(url)
    drop_database(url)


def test_upgrade_gives_the_models_and_downgrade_removes_everything(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": in_models})
            assert compare_metadata(context, db.metadata) == []
            seeded = connection.execute(sa.text("SELECT count(*) FROM care_profile")).scalar()
            assert seeded >= 15
            names = {row[0] for row in connection.execute(sa.text("SELECT name FROM care_profile"))}
            assert {"Кардиология", "Неврология", "Онкология", "Хирургия", "Педиатрия",
                    "Акушерство и гинекология", "Травматология и ортопедия"} <= names
            rules = connection.execute(
                sa.text("SELECT urgency, min_minutes, max_minutes FROM urgency_rule ORDER BY max_minutes")
            ).all()
            assert [tuple(r) for r in rules] == [("emergency", 30, 120), ("urgent", 180, 1440),
                                                 ("planned", 1440, 20160)]
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) == {"alembic_version"}
        db.engine.dispose()
