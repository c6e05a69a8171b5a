"""Pruning: completed work leaves the live workflow (it is already in the history tables).

SpiffWorkflow keeps every task it ever ran in its tree, so a long-lived instance grows without
bound and a loop made with a gateway back-edge stalls silently once the tree is 1,000 deep
(`TaskIterator(max_depth=1000)`). After each step we cut what no later step can read:

* dead branches — finished tasks under a finished parent with nothing unfinished below them;
* finished links in a chain — a finished task with one finished child is spliced out, so
  ancestor relations among the remaining tasks stay as they were;
* the subprocesses of finished subprocess tasks.

What later steps do read is kept: every unfinished task and its parent; the split task a
structured join looks up with `find_ancestor`; and, while an instance of a parallel or
inclusive join still waits, that join's finished sibling instances and their parents (the
join counts them and merges their parents' data when it fires).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.task import TaskState

LIVE = TaskState.NOT_FINISHED_MASK | TaskState.ERROR
"""Tasks a later step may still run, wait on or retry."""


def prune(workflow: Any) -> int:
    """Remove completed work from `workflow` and its subprocesses; return how many tasks went."""
    removed = _drop_finished_subprocesses(workflow)
    for wf in [workflow, *workflow.subprocesses.values()]:
        removed += _prune_tree(wf, workflow)
    return removed


def _drop_finished_subprocesses(top: Any) -> int:
    removed = 0
    for task_id in list(top.subprocesses):
        subprocess = top.subprocesses.get(task_id)
        if subprocess is None:
            continue  # already removed with its parent subprocess
        owner = _find_task(top, task_id)
        if owner is None or not owner.has_state(LIVE):
            removed += len(_subprocess_tasks(top, subprocess))
            _remove_subprocess(top, task_id)
    return removed


def _children_of(top: Any, subprocess: Any) -> list[UUID]:
    """The subprocesses whose task lives in `subprocess` (nested subprocesses, called processes).

    Told by the parent task's id, not by SpiffWorkflow's `parent_workflow`, which looks the parent
    task up in the whole tree and fails once an enclosing subprocess has been removed: the
    subprocesses of one step's nested ends are removed one after the other.
    """
    return [key for key, sp in top.subprocesses.items() if sp.parent_task_id in subprocess.tasks]


def _subprocess_tasks(top: Any, subprocess: Any) -> list[Any]:
    tasks = list(subprocess.tasks.values())
    for child_id in _children_of(top, subprocess):
        tasks.extend(_subprocess_tasks(top, top.subprocesses[child_id]))
    return tasks


def _remove_subprocess(top: Any, task_id: UUID) -> None:
    children = _children_of(top, top.subprocesses[task_id])
    del top.subprocesses[task_id]
    for child_id in children:
        if child_id in top.subprocesses:
            _remove_subprocess(top, child_id)


def _find_task(top: Any, task_id: UUID) -> Any:
    task = top.tasks.get(task_id)
    if task is None:
        for sp in top.subprocesses.values():
            task = sp.tasks.get(task_id)
            if task is not None:
                break
    return task


def _keep(wf: Any) -> set[UUID]:
    """Finished tasks that later steps read, though nothing unfinished lies below them."""
    keep: set[UUID] = set()
    waiting_joins = {
        t.task_spec
        for t in wf.tasks.values()
        if isinstance(t.task_spec, UnstructuredJoin) and t.has_state(LIVE)
    }
    for task in wf.tasks.values():
        spec = task.task_spec
        if task.has_state(LIVE):
            split = getattr(spec, "split_task", None)
            if isinstance(spec, Join) and split:
                ancestor = task.find_ancestor(split)
                if ancestor is not None:
                    keep.add(ancestor.id)
        elif spec in waiting_joins and task.parent is not None:
            keep.add(task.id)
            keep.add(task.parent.id)
    return keep


def _prune_tree(wf: Any, top: Any) -> int:
    tasks: dict[UUID, Any] = wf.tasks
    root_id = wf.task_tree.id
    keep = _keep(wf)

    def anchored(task: Any) -> bool:
        return task.has_state(LIVE) or task.id in keep

    # Children are created after their parents, so a reversed pass sees children first.
    has_anchor: dict[UUID, bool] = {}
    for task in reversed(list(tasks.values())):
        has_anchor[task.id] = anchored(task) or any(has_anchor.get(c, False) for c in task._children)

    removed = 0
    for task in list(tasks.values()):
        if task.id not in tasks or task.id == root_id or has_anchor[task.id]:
            continue
        parent = tasks.get(task._parent)
        if parent is not None and not parent.has_state(LIVE) and task.id not in top.subprocesses:
            removed += _remove_subtree(wf, task, parent)

    for task in list(tasks.values()):
        if task.id == root_id or anchored(task) or len(task._children) != 1 or task.id in top.subprocesses:
            continue
        parent = tasks.get(task._parent)
        child = tasks[task._children[0]]
        if parent is None or parent.has_state(LIVE) or anchored(child):
            continue
        parent._children[parent._children.index(task.id)] = child.id
        child._parent = parent.id
        del tasks[task.id]
        removed += 1

    if wf.last_task is not None and wf.last_task.id not in tasks:
        wf.last_task = None
    return removed


def _remove_subtree(wf: Any, task: Any, parent: Any) -> int:
    parent._children.remove(task.id)
    stack, count = [task.id], 0
    while stack:
        task_id = stack.pop()
        node = wf.tasks.pop(task_id, None)
        if node is not None:
            stack.extend(node._children)
            count += 1
    return count
