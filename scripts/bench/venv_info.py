"""Describes the reference virtualenv without importing MLflow (fast): installed versions, and the
default server and worker count of `mlflow server`, read from its own source. Prints JSON."""

import importlib.metadata as md
import importlib.util
import json
import pathlib
import re
import sqlite3
import sys


def version(dist):
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


info = {
    "python": sys.version.split()[0],
    "pythonSqlite": sqlite3.sqlite_version,
    "mlflow": version("mlflow"),
    "sklearn": version("scikit-learn"),
    "sqlalchemy": version("SQLAlchemy"),
    "psycopg": version("psycopg"),
    "flaskWtf": version("Flask-WTF"),
    "uvicornVersion": version("uvicorn"),
    "server": None,
    "workers": None,
}
spec = importlib.util.find_spec("mlflow")
if spec and spec.origin:
    source = (pathlib.Path(spec.origin).parent / "server" / "__init__.py").read_text()
    m = re.search(r"_build_uvicorn_command\([^)]*workers or (\d+)", source)
    if m:
        info["server"] = "uvicorn"
        info["workers"] = int(m.group(1))
print(json.dumps(info))
