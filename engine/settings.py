"""Settings: passed in explicitly; `Settings.from_env` reads the environment once, at the edge."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///instance/flowbridge.sqlite3"
"""Embedded default: a SQLite file under ./instance."""

DEFAULT_MODELS = "bpmn"
"""Models folder deployed by `serve` and loaded for microflow modules."""

DEFAULT_INSTANCE_CACHE = 1000
"""Live workflows kept in memory, checked against the instance's revision before reuse."""


@dataclass(frozen=True)
class Settings:
    """Everything the engine needs to know from outside; nothing reads the environment later."""

    database_url: str = DEFAULT_DATABASE_URL
    models_path: Path = Path(DEFAULT_MODELS)
    microflow_modules: tuple[str, ...] = ()
    instance_cache_size: int = DEFAULT_INSTANCE_CACHE
    sqlite_synchronous: str = "NORMAL"
    max_call_seconds: float = 30.0
    """The longest a blocking microflow call waits, whatever it asks (FLOWBRIDGE_MAX_CALL_SECONDS)."""
    integrations_group: str = "integrations"
    """Members may deliver any message or signal (FLOWBRIDGE_INTEGRATIONS_GROUP)."""
    token_cache_seconds: float = 0.0
    """How long a process trusts an API token it found good without looking again (0: never), so a
    token revoked elsewhere stops working here within this long (FLOWBRIDGE_TOKEN_CACHE_SECONDS)."""
    sandbox_scripts: bool = True
    """Run models' scripts and conditions in the sandbox (engine.expressions.sandbox); off only for
    a trusted deployment, whose models' authors then run code as the engine (FLOWBRIDGE_SANDBOX_SCRIPTS)."""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from FLOWBRIDGE_* variables; explicit overrides (CLI options) win."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            "database_url": env.get("FLOWBRIDGE_DATABASE_URL", DEFAULT_DATABASE_URL),
            "models_path": Path(env.get("FLOWBRIDGE_MODELS", DEFAULT_MODELS)),
            "microflow_modules": tuple(
                m.strip() for m in env.get("FLOWBRIDGE_MICROFLOWS", "").split(",") if m.strip()
            ),
            "token_cache_seconds": _seconds(env.get("FLOWBRIDGE_TOKEN_CACHE_SECONDS", "0"), 60),
            "max_call_seconds": _seconds(env.get("FLOWBRIDGE_MAX_CALL_SECONDS", "30"), 300),
            "integrations_group": env.get("FLOWBRIDGE_INTEGRATIONS_GROUP", "integrations").strip()
            or "integrations",
            "sandbox_scripts": _flag(
                env.get("FLOWBRIDGE_SANDBOX_SCRIPTS", "true"), "FLOWBRIDGE_SANDBOX_SCRIPTS"
            ),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values["models_path"], str):
            values["models_path"] = Path(values["models_path"])
        return cls(**values)  # type: ignore[arg-type]


def _seconds(text: str, most: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"a FLOWBRIDGE_*_SECONDS setting must be seconds, not {text!r}") from None
    if not 0 <= value <= most:
        raise ValueError(f"a FLOWBRIDGE_*_SECONDS setting must be between 0 and {most:g}, not {value:g}")
    return value


def _flag(text: str, name: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {text!r}")
