"""DB_REPLICA_* settings: what aliases and routing they produce, and what they refuse (no server needed)."""

import json

from tests.security.test_production_settings import run_django

PRINT_DATABASES = """
import json
from django.conf import settings
print(json.dumps({
    "databases": {alias: {key: db[key] for key in ("HOST", "PORT", "NAME", "USER", "PASSWORD", "TEST")}
                  for alias, db in settings.DATABASES.items()},
    "routers": settings.DATABASE_ROUTERS,
    "replicas": settings.DB_REPLICAS,
    "max_lag": settings.DB_REPLICA_MAX_LAG,
    "marks_writers": "irctc.db_router.MarkWritersMiddleware" in settings.MIDDLEWARE,
}))
"""

MYSQL = dict(
    DB_ENGINE="mysql", DB_NAME="irctc", DB_USER="app", DB_PASSWORD="secret", DB_HOST="db1", DB_PORT="3306", DEBUG="true"
)


def configured(**env) -> dict:
    result = run_django(["-c", PRINT_DATABASES], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_each_replica_gets_an_alias_with_the_primarys_database_user_and_password():
    config = configured(**MYSQL, DB_REPLICA_HOSTS="db2:3307, [::1]:3308", DB_REPLICA_MAX_LAG="3")

    replicas = {alias: db for alias, db in config["databases"].items() if alias != "default"}
    assert config["replicas"] == {"replica1": "db2:3307", "replica2": "[::1]:3308"}
    assert [(db["HOST"], db["PORT"]) for db in replicas.values()] == [("db2", "3307"), ("::1", "3308")]
    assert {(db["NAME"], db["USER"], db["PASSWORD"]) for db in replicas.values()} == {("irctc", "app", "secret")}
    assert all(db["TEST"]["MIRROR"] == "default" for db in replicas.values())
    assert config["routers"] == ["irctc.db_router.ReplicaRouter"]
    assert config["marks_writers"] is True
    assert config["max_lag"] == 3


def test_replica_name_user_and_password_can_differ_from_the_primarys():
    config = configured(
        **MYSQL, DB_REPLICA_HOSTS="db2:3307", DB_REPLICA_NAME="ro", DB_REPLICA_USER="reader", DB_REPLICA_PASSWORD="pw"
    )

    replica = config["databases"]["replica1"]
    assert (replica["NAME"], replica["USER"], replica["PASSWORD"]) == ("ro", "reader", "pw")
    assert config["databases"]["default"]["USER"] == "app"


def test_without_replicas_there_is_no_router_and_no_writer_mark():
    config = configured(**MYSQL, DB_REPLICA_HOSTS="")

    assert list(config["databases"]) == ["default"]
    assert (config["routers"], config["replicas"], config["marks_writers"], config["max_lag"]) == ([], {}, False, 5)


def test_a_replica_without_a_port_is_refused_by_name():
    result = run_django(["-c", PRINT_DATABASES], **MYSQL, DB_REPLICA_HOSTS="db2:3307,db3")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "'db3'" in result.stderr


def test_replicas_on_sqlite_are_refused():
    result = run_django(["-c", PRINT_DATABASES], DEBUG="true", DB_REPLICA_HOSTS="db2:3307")

    assert result.returncode != 0
    assert "DB_REPLICA_HOSTS needs DB_ENGINE=mysql" in result.stderr
