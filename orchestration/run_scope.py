"""An executor that owns the run's refresh: lock, private build, swap on success.

Under the multiprocess executor (and a cluster one) every step runs in a process of its own, so no
resource lives as long as the run: a step cannot take the refresh lock for the whole run, and the
first step to finish cannot decide whether the run succeeded. The process that does live as long as
the run is the one running the executor (the CLI's, or the run worker of the UI, schedule and
sensor). `run_scoped(executor)` wraps any executor so that, in that process, the run

- takes the warehouse's refresh lock (orchestration/warehouse/refresh_lock.py) before any step,
- starts the private build `<warehouse>/.building/` marked with the run id (warehouse/build.py),
  which each step's warehouse resource joins,
- and when the last step is done swaps the build in if every planned step succeeded, discards it
  otherwise (a failed step, a blocking check, an interruption), then releases the lock.

Under the in-process executor (`execute_in_process`, tests) the warehouse resource does the same
itself, since there it lives as long as the run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import dagster as dg


class RunScopedExecutor(dg.Executor):
    """Runs `inner`'s plan inside one refresh of the warehouse (lock held, build swapped at the end)."""

    def __init__(self, inner: dg.Executor):
        self._inner = inner

    @property
    def retries(self):
        return self._inner.retries

    @property
    def step_dependency_config(self):
        return self._inner.step_dependency_config

    def execute(self, plan_context, execution_plan) -> Iterator[dg.DagsterEvent]:
        from .resources import finish_refresh, run_succeeded, start_refresh

        settings = warehouse_settings(plan_context.run_config)
        run_id = plan_context.run_id
        lock, build = start_refresh(settings, run_id)
        succeeded = False
        try:
            yield from self._inner.execute(plan_context, execution_plan)
            instance = plan_context.instance
            succeeded = run_succeeded(instance.get_run_by_id(run_id), instance)
        finally:
            finish_refresh(build, lock, succeeded)


def warehouse_settings(run_config: Mapping[str, object]):
    """The run's `Settings`, from the warehouse resource's config in the run config (else defaults)."""
    from .resources import WarehouseResource

    resources = run_config.get("resources") or {}
    config = (resources.get("warehouse") or {}).get("config") or {}
    return WarehouseResource(**config).settings()


def run_scoped(inner: dg.ExecutorDefinition) -> dg.ExecutorDefinition:
    """`inner` with the same name and config, each run of it one refresh (see the module docstring)."""
    creation = inner.executor_creation_fn
    if creation is None:
        raise ValueError(f"executor {inner.name!r} has no creation function to wrap")
    return dg.ExecutorDefinition(
        name=inner.name,
        config_schema=inner.config_schema,
        requirements=inner.get_requirements,
        executor_creation_fn=lambda init_context: RunScopedExecutor(creation(init_context)),
        description=inner.description,
    )
