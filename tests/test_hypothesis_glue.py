"""What the grader relies on in hypothesis holds for the installed version."""
from importlib.metadata import version

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.grading import hypothesis_glue


@given(st.integers())
def _property(value):
    pass


def test_the_installed_hypothesis_is_in_the_range_pyproject_allows():
    installed = tuple(int(part) for part in version("hypothesis").split(".")[:2])
    low, high = hypothesis_glue.SUPPORTED_VERSIONS
    assert low <= installed < high


def test_preparing_registers_the_grading_profiles():
    hypothesis_glue.prepare()
    for name in ("grading", "shrinking", "check"):
        assert settings.get_profile(name).derandomize


def test_a_given_test_carries_the_attributes_the_glue_sets():
    assert hypothesis_glue.is_property_test(_property)
    assert hasattr(_property, hypothesis_glue.SETTINGS_ATTRIBUTE)


def test_a_profile_applied_to_a_test_is_undone_afterwards():
    hypothesis_glue.prepare()
    before = getattr(_property, hypothesis_glue.SETTINGS_ATTRIBUTE)
    with hypothesis_glue.with_profile(_property, "check"):
        assert getattr(_property, hypothesis_glue.SETTINGS_ATTRIBUTE) is settings.get_profile("check")
    assert getattr(_property, hypothesis_glue.SETTINGS_ATTRIBUTE) is before


def test_a_students_seed_is_given_for_the_block_only():
    with hypothesis_glue.seeded(_property, 1234):
        assert hypothesis_glue.own_seed(_property) == 1234
    assert hypothesis_glue.own_seed(_property) is None


def test_a_hypothesis_outside_the_range_fails_loudly(monkeypatch):
    monkeypatch.setattr(hypothesis_glue, "SUPPORTED_VERSIONS", ((1, 0), (2, 0)))
    try:
        hypothesis_glue._check_version()
    except hypothesis_glue.HypothesisChanged as error:
        assert "hypothesis_glue" in str(error)
    else:
        raise AssertionError("no error for a hypothesis outside the range")
