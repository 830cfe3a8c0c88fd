from django.db import migrations

# PostgreSQL estimates the groups of the rollup's GROUP BY from each column alone (about
# 500,000 for a month of 1,000 accounts, where there are 7,000) and then sorts on disk
# instead of hashing; statistics on the columns together give it the real number.
CREATE = (
    "CREATE STATISTICS IF NOT EXISTS usage_bucket_grouping (ndistinct) "
    "ON account_id, key_id, domain_id, service FROM usage_usagebucket"
)
DROP = "DROP STATISTICS IF EXISTS usage_bucket_grouping"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("usage", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
