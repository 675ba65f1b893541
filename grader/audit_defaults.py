"""The mutation audit's defaults (``grader audit``, ``grader.authoring.audit``): how many
mutants per topic and which sample of them. Apart from the audit, which imports hypothesis and
the grader's runner, so that the command line can show them without importing grader.authoring."""

DEFAULT_MAX_MUTANTS = 120
DEFAULT_SEED = 0
