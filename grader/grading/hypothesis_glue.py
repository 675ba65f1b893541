"""Every place the grader reaches past hypothesis's public API, in one module.

Grading needs three things hypothesis does not offer publicly: its profiles applied to
test functions whose settings were fixed when their module was imported (test modules are
imported once per process, whatever runs them), a per-student seed on a shared test
function, and the same drawn examples in every process (hypothesis otherwise mixes the
literals of every loaded module into what it draws). Each is done here, and ``prepare``
checks first that hypothesis still has what it relies on: a hypothesis that changed fails
loudly with a message naming this module, instead of grading with other examples.

Entry points call ``prepare()`` before loading a profile (the runner, ``pytest
exercises/<topic>``, the otter adapter); nothing is patched at import time.
"""
from __future__ import annotations

import contextlib
from importlib.metadata import version
from typing import Callable, Iterator

import hypothesis
from hypothesis import HealthCheck, Phase, settings

SUPPORTED_VERSIONS = ((6, 100), (7, 0))  # [from, to): the range pyproject.toml allows
SEED_ATTRIBUTE = "_hypothesis_internal_use_seed"
SETTINGS_ATTRIBUTE = "_hypothesis_internal_use_settings"
OWN_SETTINGS_ATTRIBUTE = "_hypothesis_internal_settings_applied"  # @settings on the test itself
SUPPRESSED = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
              HealthCheck.function_scoped_fixture]
_prepared = False


class HypothesisChanged(RuntimeError):
    """The installed hypothesis lacks what grader.grading.hypothesis_glue relies on."""


def _changed(what: str) -> HypothesisChanged:
    return HypothesisChanged(
        f"hypothesis {version('hypothesis')} {what}; grader.grading.hypothesis_glue relies on it. "
        f"Install a hypothesis in {SUPPORTED_VERSIONS[0][0]}.{SUPPORTED_VERSIONS[0][1]} to "
        f"<{SUPPORTED_VERSIONS[1][0]} (pyproject.toml) or adapt that module.")


def _check_version() -> None:
    installed = tuple(int(part) for part in version("hypothesis").split(".")[:2])
    if not SUPPORTED_VERSIONS[0] <= installed < SUPPORTED_VERSIONS[1]:
        raise _changed("is outside the tested range")


def _draw_without_local_constants() -> None:
    """Hypothesis mixes literals from every non-library module loaded in the process into
    the values it draws, so the same derandomized test would draw other examples after a
    ``grader check``, in a Dask worker, or beside the test suite. Grading must give the
    same examples wherever it runs, so that pool of constants is kept empty."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError as error:
        raise _changed("has no hypothesis.internal.conjecture.providers") from error
    if not hasattr(providers, "_get_local_constants"):
        return  # a hypothesis from before the feature: nothing to keep empty
    try:
        empty = type(providers._local_constants)(
            integers=providers.SortedSet(), floats=providers.SortedSet(key=providers.float_to_int),
            bytes=providers.SortedSet(), strings=providers.SortedSet())
        providers.CONSTANTS_CACHE.cache.clear()
    except (AttributeError, TypeError) as error:
        raise _changed(f"changed its local constants ({error})") from error
    providers._get_local_constants = lambda: empty


def _register_profiles() -> None:
    # Grading never shows a counterexample, so it does not pay for shrinking one.
    settings.register_profile("grading", derandomize=True, max_examples=25, deadline=None,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate],
                              database=None, print_blob=False, report_multiple_bugs=False,
                              suppress_health_check=SUPPRESSED)
    # A failing public test, re-run to show the student hypothesis's smallest failing input.
    settings.register_profile("shrinking", settings.get_profile("grading"),
                              phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])
    settings.register_profile("check", derandomize=True, max_examples=15, deadline=None,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
                              database=None, print_blob=False, report_multiple_bugs=False,
                              suppress_health_check=SUPPRESSED)


def prepare() -> None:
    """Check hypothesis, keep its drawn examples independent of loaded modules and register the
    grading profiles ("grading", "shrinking", "check"); once per process."""
    global _prepared
    if _prepared:
        return
    _check_version()
    _draw_without_local_constants()
    _register_profiles()
    _prepared = True


@contextlib.contextmanager
def current_profile(name: str) -> Iterator[None]:
    """Make ``name`` hypothesis's current profile for the block."""
    prepare()
    previous = settings.get_current_profile_name()
    settings.load_profile(name)
    try:
        yield
    finally:
        settings.load_profile(previous)


def is_property_test(test: Callable) -> bool:
    return hasattr(test, "hypothesis") and hasattr(test.hypothesis, "inner_test")


def _require(test: Callable, attribute: str) -> None:
    if not hasattr(test, attribute):
        raise _changed(f"no longer sets {attribute} on a @given test ({test.__name__})")


def own_seed(test: Callable) -> int | None:
    """The seed a property test was given with @seed (or by ``seeded``), if any."""
    return getattr(test, SEED_ATTRIBUTE, None)


@contextlib.contextmanager
def with_profile(test: Callable, name: str) -> Iterator[None]:
    """Run a property test under profile ``name`` even though hypothesis fixed its settings
    when its module was imported; a test whose author chose its settings keeps them."""
    if not is_property_test(test) or hasattr(test, OWN_SETTINGS_ATTRIBUTE):
        yield
        return
    _require(test, SETTINGS_ATTRIBUTE)
    previous = getattr(test, SETTINGS_ATTRIBUTE)
    setattr(test, SETTINGS_ATTRIBUTE, settings.get_profile(name))
    try:
        yield
    finally:
        setattr(test, SETTINGS_ATTRIBUTE, previous)


@contextlib.contextmanager
def seeded(test: Callable, seed: int | None) -> Iterator[None]:
    """Give a property test its own input stream for the block (an explicit seed wins over the
    derandomized one); test functions are shared across students, so it is restored."""
    if seed is None or not hasattr(test, "hypothesis"):
        yield
        return
    previous = own_seed(test)
    hypothesis.seed(seed)(test)
    _require(test, SEED_ATTRIBUTE)
    try:
        yield
    finally:
        setattr(test, SEED_ATTRIBUTE, previous)
