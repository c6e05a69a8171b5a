"""User tasks: the open tasks people see, claiming them and completing them through the runtime."""

from .service import TaskService

__all__ = ["TaskService"]
