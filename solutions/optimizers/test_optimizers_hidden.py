"""Hidden tests for the optimizers topic.

Expected values come from ``reference`` (solutions/optimizers/optimizers.py), run in
the grader's process. Every call crosses a process boundary, so a student's config
comes back as a fresh dict: trajectories hand the returned config to the next call,
exactly as a training loop would.

Fixed problems use non-square arrays whose columns have gradient scales from 1e-6
to 8, so that epsilon matters in one column (sqrt(cache) ~ 1e-7 there: putting
epsilon inside the square root changes that step a hundredfold) and not in others.
Mistake models are the same update rules with one student mistake, run here on the
same inputs; the first model that reproduces the student's answer names the mistake.

Contract chosen where SPEC is silent (and stated in the stub): w and dw are never
modified in place; next_w is a new array. Updating config in place is expected.
"""
import functools
import re

import numpy as np
from hypothesis import given, strategies as st

from grader.strategies import any_scale, arrays, distinct_dims, floats
from grader.testing import (CheckFailed, Mistake, expect_close, expect_finite, expect_shape,
                            expect_unchanged, expect_update, fail, hint, points, same_data)

DEFAULTS = {
    "sgd": {"learning_rate": 1e-2},
    "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    "adagrad": {"learning_rate": 1e-2, "epsilon": 1e-8},
    "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
    "ema_momentum": {"learning_rate": 1e-2, "gamma": 0.9},
}
# Scalar state that starts at a given value (SPEC: t 0); written out with the defaults, so that a
# wrong starting value shows.
STATE_DEFAULTS = {"adam": {"t": 0}}
STATE = {"sgd": (), "sgd_momentum": ("velocity",), "rmsprop": ("cache",), "adagrad": ("cache",),
         "adam": ("m", "v", "t"), "ema_momentum": ("M",)}

_rng = np.random.default_rng(20261122)
SHAPE = (3, 5)
# Per-column gradient scales: epsilon (1e-8) matters against sqrt(cache) in column 0 only.
COLUMN_SCALES = np.array([1e-6, 1e-2, 1.0, 8.0, 1e-4])


def _signed(rng, shape, low=0.5, high=1.5):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(low, high, shape)


W0 = _rng.uniform(-2.0, 2.0, SHAPE)
GRADIENTS = [_signed(_rng, SHAPE) * COLUMN_SCALES for _ in range(4)]

# Non-default hyperparameters (some keys left to their defaults) for the trajectories.
TRAJECTORY_CONFIG = {
    "sgd": {"learning_rate": 0.05},
    "sgd_momentum": {"learning_rate": 0.05, "momentum": 0.8},
    "rmsprop": {"learning_rate": 0.02, "decay_rate": 0.9},
    "adagrad": {"learning_rate": 0.1},
    "adam": {"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.95},
    "ema_momentum": {"learning_rate": 0.1, "gamma": 0.7},
}

# A step from a state the caller supplies (4 x 3). Adam's m is positive and large
# enough that the "v from m" mistake stays real (no sqrt of a negative number).
GIVEN_SHAPE = (4, 3)
W_GIVEN = _rng.uniform(-2.0, 2.0, GIVEN_SHAPE)
DW_GIVEN = _signed(_rng, GIVEN_SHAPE)
GIVEN_CONFIG = {
    "sgd_momentum": {"learning_rate": 0.05, "momentum": 0.8,
                     "velocity": _rng.uniform(-0.1, 0.1, GIVEN_SHAPE)},
    "rmsprop": {"learning_rate": 0.02, "decay_rate": 0.9, "epsilon": 1e-8,
                "cache": _rng.uniform(0.2, 2.0, GIVEN_SHAPE)},
    "adagrad": {"learning_rate": 0.1, "epsilon": 1e-8, "cache": _rng.uniform(0.5, 5.0, GIVEN_SHAPE)},
    "adam": {"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.95, "epsilon": 1e-8,
             "m": _rng.uniform(0.5, 1.0, GIVEN_SHAPE), "v": _rng.uniform(0.5, 2.0, GIVEN_SHAPE), "t": 3},
    "ema_momentum": {"learning_rate": 0.1, "gamma": 0.7, "M": _rng.uniform(-1.0, 1.0, GIVEN_SHAPE)},
}

# One hyperparameter given, the others left to their defaults (sgd has only one: {}).
PARTIAL_CONFIG = {"sgd": {}, "sgd_momentum": {"momentum": 0.5},
                  "rmsprop": {"decay_rate": 0.9}, "adagrad": {"epsilon": 1e-6},
                  "adam": {"beta1": 0.5}, "ema_momentum": {"gamma": 0.5}}
# Defaults students confuse with SPEC's (another optimizer's, or another textbook's).
WRONG_DEFAULTS = {
    "sgd": [("learning_rate", 1e-3)],
    "sgd_momentum": [("momentum", 0.99), ("momentum", 0.5), ("learning_rate", 1e-3)],
    "rmsprop": [("decay_rate", 0.9), ("learning_rate", 1e-3)],
    "adagrad": [("learning_rate", 1e-3)],
    "adam": [("learning_rate", 1e-2), ("beta2", 0.99), ("t", 1)],
    "ema_momentum": [("gamma", 0.99), ("learning_rate", 1e-3)],
}

# A convex quadratic f(w) = 1/2 sum(A * (w - C)^2) with curvatures A in [0.5, 2].
QUAD_A = _rng.uniform(0.5, 2.0, (3, 4))
QUAD_C = _rng.uniform(-2.0, 2.0, (3, 4))
QUAD_START = np.zeros((3, 4))
# (config, steps): the reference ends below 1% of the starting value with each; the test
# asks for 10%, so a correct rule passes with a wide margin and an uphill step cannot.
CONVEX_RUNS = {
    "sgd": ({"learning_rate": 0.2}, 30),
    "sgd_momentum": ({"learning_rate": 0.1, "momentum": 0.5}, 30),
    "rmsprop": ({"learning_rate": 0.02}, 60),
    "adagrad": ({"learning_rate": 0.5}, 40),
    "adam": ({"learning_rate": 0.1}, 60),
    "ema_momentum": ({"learning_rate": 0.2, "gamma": 0.5}, 40),
}
CONVEX_FRACTION = 0.1

# ------------------------------------------------------------------- hints
HINT_STATE = ("store the new state back in config ({keys}) and return that config: the next call "
              "only knows what the returned config holds.")
HINT_KEYS = ("read the state from and store it under exactly the key names in the docstring "
             "({keys}): the caller may hand in a config that already holds state.")
HINT_REBUILT = ("return the config you were given, with the new state stored in it, not a new dict: "
                "the caller's hyperparameters must survive to the next call.")
HINT_IGNORED = ("use the hyperparameters in config: config.setdefault(key, default) returns the caller's "
                "value when the key is present.")
HINT_EPS = ("epsilon goes outside the square root: dw / (np.sqrt(cache) + epsilon), "
            "not np.sqrt(cache + epsilon).")
HINT_SQRT = "divide by the square root of the cache: dw / (np.sqrt(cache) + epsilon)."
HINT_BIAS = ("apply the bias correction: m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t), "
             "and step with m_hat / (np.sqrt(v_hat) + epsilon).")
HINT_V_FROM_M = ("update the second moment from the previous v, not m: v = beta2 * v + (1 - beta2) * dw**2 "
                 "(the course notes' beta2 * m is a typo).")
HINT_BIAS_POWER = ("the bias corrections divide by 1 - beta1**t and 1 - beta2**t, with t the step count: "
                   "1 - beta1 alone is right on the first step only.")
HINT_T_AFTER = ("increment t before using it: t = t + 1 comes first, so the first step's bias corrections "
                "use t = 1 (with t = 0, 1 - beta1**0 = 0).")
HINT_MOMENTUM_SIGN = ("v = momentum * v - learning_rate * dw, then next_w = w + v: the velocity points downhill "
                      "and is added to w, and config['velocity'] holds that v.")
HINT_SGD_SIGN = "step downhill: next_w = w - learning_rate * dw."
HINT_RMS_MIX = "cache = decay_rate * cache + (1 - decay_rate) * dw**2: the new term is weighted by 1 - decay_rate."
HINT_RMS_SWAP = ("decay_rate weights the old cache: cache = decay_rate * cache + (1 - decay_rate) * dw**2, "
                 "not the other way round.")
HINT_ADAGRAD_DECAY = "Adagrad's cache is a running sum that never decays: cache = cache + dw**2."
HINT_EMA_MIX = ("this is the moving-average form: M = gamma * M + (1 - gamma) * dw, with 1 - gamma on the "
                "new gradient.")
HINT_EMA_SWAP = "gamma weights the old average: M = gamma * M + (1 - gamma) * dw, not the other way round."
HINT_EMA_SIGN = "step against the average gradient: next_w = w - learning_rate * M."
HINT_DEFAULTS = ("start with `if config is None: config = {}` and give every missing key its default with "
                 "config.setdefault(key, default), so a config holding only some keys works too.")
HINT_UNCHANGED = ("build a new array: next_w = w - ... (w -= ... or w += ... changes the caller's w); "
                  "do not modify dw either.")
HINT_INDEPENDENT = ("every operation must be element-wise (dw * dw or dw**2, np.sqrt): np.sum, np.dot, @ or "
                    "np.linalg.norm mix the coordinates.")


def _state_hint(name, template):
    return template.format(keys=", ".join(f"config['{key}']" for key in STATE[name]))


# ----------------------------------------------------------- running rules
def _copy(config):
    if config is None:
        return None
    return {key: value.copy() if isinstance(value, np.ndarray) else value for key, value in config.items()}


def _local(update):
    """A trusted update rule, called on copies so that nothing is shared between steps."""
    def run(w, dw, config):
        with np.errstate(all="ignore"):  # some mistake models divide by zero; that is their point
            return update(w.copy(), dw.copy(), _copy(config))
    return run


def _student(student, name):
    def run(w, dw, config):
        return expect_update(getattr(student, name)(w, dw, config), name, np.shape(w))
    return run


def _trajectory(run, w0, gradients, config):
    """The stacked iterates w_1..w_k and the final config, handing each config to the next call."""
    w, iterates = w0, []
    for dw in gradients:
        w, config = run(w, dw, config)
        iterates.append(w)
    return np.array(iterates), config


# ------------------------------------------------------------ mistake models
def _filled(name, w, config):
    c = _copy(config) or {}
    for key, value in DEFAULTS[name].items():
        c.setdefault(key, value)
    for key in STATE[name]:
        c.setdefault(key, 0 if key == "t" else np.zeros_like(w))
    return c


def _sgd_uphill(w, dw, config):
    c = _filled("sgd", w, config)
    return w + c["learning_rate"] * dw, c


def _momentum(w, dw, config, *, term_sign=1.0, lr_sign=1.0, step_sign=1.0, stored_sign=1.0):
    """SGD with momentum, optionally with a sign flipped in a velocity term, the step or the stored state."""
    c = _filled("sgd_momentum", w, config)
    v = term_sign * c["momentum"] * stored_sign * c["velocity"] - lr_sign * c["learning_rate"] * dw
    c["velocity"] = stored_sign * v
    return w + step_sign * v, c


def _cache_rule(name, w, dw, config, *, cache, eps_inside=False, root=True):
    """The rmsprop/adagrad step with a given cache update."""
    c = _filled(name, w, config)
    c["cache"] = cache(c, dw)
    if eps_inside:
        denominator = np.sqrt(c["cache"] + c["epsilon"])
    else:
        denominator = (np.sqrt(c["cache"]) if root else c["cache"]) + c["epsilon"]
    return w - c["learning_rate"] * dw / denominator, c


def _rms_cache(c, dw):
    return c["decay_rate"] * c["cache"] + (1 - c["decay_rate"]) * dw ** 2


def _rms_cache_no_mix(c, dw):
    return c["decay_rate"] * c["cache"] + dw ** 2


def _rms_cache_swapped(c, dw):
    return (1 - c["decay_rate"]) * c["cache"] + c["decay_rate"] * dw ** 2


def _adagrad_cache(c, dw):
    return c["cache"] + dw ** 2


def _adagrad_cache_decaying(c, dw):
    return 0.99 * c["cache"] + 0.01 * dw ** 2


def _adam(w, dw, config, *, t_after=False, v_from=None, bias=True, eps_inside=False, power=True):
    """Adam, optionally with one of the classic mistakes."""
    c = _filled("adam", w, config)
    b1, b2 = c["beta1"], c["beta2"]
    t = c["t"] if t_after else c["t"] + 1
    t = t if power else 1
    m = b1 * c["m"] + (1 - b1) * dw
    previous = {"m_old": c["m"], "m_new": m}.get(v_from, c["v"])
    v = b2 * previous + (1 - b2) * dw ** 2
    m_hat, v_hat = (m / (1 - b1 ** t), v / (1 - b2 ** t)) if bias else (m, v)
    denominator = np.sqrt(v_hat + c["epsilon"]) if eps_inside else np.sqrt(v_hat) + c["epsilon"]
    c.update(m=m, v=v, t=c["t"] + 1)
    return w - c["learning_rate"] * m_hat / denominator, c


def _ema(w, dw, config, *, rule="spec", step_sign=-1.0):
    c = _filled("ema_momentum", w, config)
    gamma, M = c["gamma"], c["M"]
    c["M"] = {"spec": gamma * M + (1 - gamma) * dw, "classical": gamma * M + dw,
              "swapped": (1 - gamma) * M + gamma * dw}[rule]
    return w + step_sign * c["learning_rate"] * c["M"], c


def _forgetting(update, keys):
    """The rule, but the state in ``keys`` is never stored: each step starts from its default."""
    def model(w, dw, config):
        kept = {k: v for k, v in (config or {}).items() if k not in keys}
        next_w, c = update(w, dw, kept)
        return next_w, {k: v for k, v in c.items() if k not in keys}
    return model


def _rebuilt(update, name):
    """The rule returns a new dict holding only the state (the hyperparameters are lost)."""
    def model(w, dw, config):
        next_w, c = update(w, dw, config)
        return next_w, {k: c[k] for k in STATE[name]}
    return model


def _ignoring_hyperparameters(update, name):
    def model(w, dw, config):
        return update(w, dw, {k: v for k, v in (config or {}).items() if k in STATE[name]})
    return model


def _specific_models(name, reference):
    """(mistake, hint, rule) for mistakes particular to one optimizer."""
    p = functools.partial
    return {
        "sgd": [("sign_flipped", HINT_SGD_SIGN, _sgd_uphill)],
        "sgd_momentum": [
            ("momentum_sign_flipped", HINT_MOMENTUM_SIGN, p(_momentum, step_sign=-1.0)),
            ("momentum_sign_flipped", HINT_MOMENTUM_SIGN, p(_momentum, term_sign=-1.0)),
            ("momentum_sign_flipped", HINT_MOMENTUM_SIGN, p(_momentum, lr_sign=-1.0)),
            ("momentum_sign_flipped", HINT_MOMENTUM_SIGN, p(_momentum, stored_sign=-1.0)),
        ],
        "rmsprop": [
            ("eps_inside_sqrt", HINT_EPS, p(_cache_rule, "rmsprop", cache=_rms_cache, eps_inside=True)),
            ("missing_one_minus_decay", HINT_RMS_MIX, p(_cache_rule, "rmsprop", cache=_rms_cache_no_mix)),
            ("decay_rate_swapped", HINT_RMS_SWAP, p(_cache_rule, "rmsprop", cache=_rms_cache_swapped)),
            ("missing_sqrt", HINT_SQRT, p(_cache_rule, "rmsprop", cache=_rms_cache, root=False)),
        ],
        "adagrad": [
            ("eps_inside_sqrt", HINT_EPS, p(_cache_rule, "adagrad", cache=_adagrad_cache, eps_inside=True)),
            ("adagrad_cache_decays", HINT_ADAGRAD_DECAY,
             p(_cache_rule, "adagrad", cache=_adagrad_cache_decaying)),
            ("missing_sqrt", HINT_SQRT, p(_cache_rule, "adagrad", cache=_adagrad_cache, root=False)),
        ],
        "adam": [
            ("missing_bias_correction", HINT_BIAS, p(_adam, bias=False)),
            ("bias_correction_without_power", HINT_BIAS_POWER, p(_adam, power=False)),
            ("eps_inside_sqrt", HINT_EPS, p(_adam, eps_inside=True)),
            ("v_updated_from_m", HINT_V_FROM_M, p(_adam, v_from="m_old")),
            ("v_updated_from_m", HINT_V_FROM_M, p(_adam, v_from="m_new")),
            ("t_incremented_after_use", HINT_T_AFTER, p(_adam, t_after=True)),
            ("state_not_stored", _state_hint("adam", HINT_STATE), _forgetting(reference.adam, ("t",))),
        ],
        "ema_momentum": [
            ("missing_one_minus_gamma", HINT_EMA_MIX, p(_ema, rule="classical")),
            ("gamma_swapped", HINT_EMA_SWAP, p(_ema, rule="swapped")),
            ("sign_flipped", HINT_EMA_SIGN, p(_ema, step_sign=1.0)),
        ],
    }[name]


def _trajectory_models(name, reference):
    correct = getattr(reference, name)
    generic = [("config_rebuilt", HINT_REBUILT, _rebuilt(correct, name)),
               ("hyperparameters_ignored", HINT_IGNORED, _ignoring_hyperparameters(correct, name))]
    if STATE[name]:
        generic.insert(0, ("state_not_stored", _state_hint(name, HINT_STATE),
                           _forgetting(correct, STATE[name])))
    return _specific_models(name, reference) + generic


# ---------------------------------------------- what the function read and wrote
# A probe of the student's function on data of the grader's own (nothing a test compares
# against): every SPEC key present, so a KeyError names a key SPEC does not have.
PROBE_W = np.array([[0.5, -1.0, 1.5], [2.0, -0.5, 1.0]])
PROBE_DW = np.array([[1.0, -2.0, 0.5], [-0.25, 1.5, 3.0]])
_KEY_ERROR = re.compile(r"KeyError: '([A-Za-z_][A-Za-z0-9_]{0,30})'$")


def _probe_config(name):
    config = dict(DEFAULTS[name])
    for key in STATE[name]:
        config[key] = 3 if key == "t" else np.full(PROBE_W.shape, 0.5)
    return config


def _key_read(error):
    """The key a KeyError raised in the student's function names, when it is a plain identifier."""
    if isinstance(error, KeyError):  # a trusted submission raises the exception itself
        text = f"KeyError: {error}"
    else:
        text = getattr(error, "message", "") if getattr(error, "exception_type", "") == "KeyError" else ""
    found = _KEY_ERROR.search(text.strip())
    return found.group(1) if found else None


def _spec_keys(name):
    return ", ".join(f"'{key}'" for key in (*DEFAULTS[name], *STATE[name]))


def _config_evidence(name, run_probe):
    """(mistake, message, hint) when the probe shows the function reading or writing config under
    keys SPEC does not name, or not reading one it does; None when it shows nothing wrong."""
    base = _probe_config(name)
    changed = [(key, {**_copy(base), key: 0.1 if key == "epsilon" else 0.5 * value})
               for key, value in DEFAULTS[name].items()]
    keys = f"SPEC's keys for {name} are {_spec_keys(name)}"
    try:
        results = run_probe([_copy(base)] + [config for _, config in changed])
    except Exception as error:  # the student's exception, as the sandbox reports it
        key = _key_read(error)
        if key is None:
            return None
        return ("wrong_config_key", f"{name} reads config['{key}'], a key SPEC does not give it",
                f"{keys}: read every hyperparameter and state under exactly these names.")
    try:
        first_w, first_config = expect_update(results[0], name, PROBE_W.shape)
    except CheckFailed:
        return None
    unknown = sorted(str(k) for k in first_config if k not in base and isinstance(k, str)
                     and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,30}", k))
    if unknown:
        shown = ", ".join(f"config['{k}']" for k in unknown[:3])
        return ("wrong_config_key", f"{name} stores {shown}, not a key SPEC gives it",
                f"{keys}: store the state under exactly these names, so the next call finds it.")
    unread = [key for (key, _), result in zip(changed, results[1:])
              if isinstance(result, (tuple, list)) and len(result) == 2 and same_data(result[0], first_w)]
    if unread:
        return ("hyperparameter_not_read",
                f"changing config['{unread[0]}'] does not change {name}'s step: it is not read from config",
                f"{keys}: read {unread[0]} from config (config.setdefault('{unread[0]}', default) gives "
                "the caller's value when there is one).")
    return None


def _expect_spec_keys(student, name):
    """Fail with the config evidence, if the student's function shows any."""
    found = _config_evidence(name, lambda configs: student.map(name, [(PROBE_W, PROBE_DW, c) for c in configs]))
    if found is not None:
        mistake, message, text = found
        fail(message, hint=text, mistake=mistake)


# Failures whose model the config evidence can sharpen (or that no model explained).
KEY_SENSITIVE = (None, "hyperparameters_ignored", "wrong_state_key", "state_not_stored", "config_rebuilt")


def _blaming_config(student, name, check):
    """Run ``check``; when it fails without a specific diagnosis (or the student's function raises
    a KeyError), fail instead with what the function read and wrote in config, if that shows
    something: a hint about keys only on that evidence."""
    try:
        check()
    except CheckFailed as failure:
        if failure.mistake in KEY_SENSITIVE:
            _expect_spec_keys(student, name)
        raise
    except Exception as error:
        if _key_read(error) is not None:
            _expect_spec_keys(student, name)
        raise


# ------------------------------------------------------------ shared checks
def _expect_no_division_by_zero_t(first_step, name):
    """Adam's first step is nan in every coordinate exactly when it divides by 1 - beta**0 = 0."""
    if name == "adam" and np.all(np.isnan(first_step)):
        fail("adam's first step from a fresh config is nan in every coordinate",
             mistake="t_incremented_after_use", hint=HINT_T_AFTER)


def _expect_trajectory(student, reference, name):
    _blaming_config(student, name, lambda: _check_trajectory(student, reference, name))


def _check_trajectory(student, reference, name):
    config = TRAJECTORY_CONFIG[name]
    actual, _ = _trajectory(_student(student, name), W0, GRADIENTS, _copy(config))
    _expect_no_division_by_zero_t(actual[0], name)
    expected, _ = _trajectory(_local(getattr(reference, name)), W0, GRADIENTS, _copy(config))
    models = _trajectory_models(name, reference)
    if name == "adam":
        # Not storing t and dividing by 1 - beta alone give the same steps: what the returned
        # config holds tells them apart.
        stored_t = _trajectory(_student(student, name), W0, GRADIENTS, _copy(config))[1].get("t")
        told = "bias_correction_without_power" if stored_t == len(GRADIENTS) else "state_not_stored"
        models = [m for m in models if m[0] not in ("bias_correction_without_power", "state_not_stored")
                  or m[0] == told]
    mistakes = [Mistake(mistake, text, _trajectory(_local(rule), W0, GRADIENTS, _copy(config))[0])
                for mistake, text, rule in models]
    expect_close(actual, expected, f"the trajectory of {name} ({len(GRADIENTS)} iterates)", mistakes=mistakes)


def _given_state_models(name, reference):
    correct = getattr(reference, name)
    keys_hint = _state_hint(name, HINT_KEYS)
    models = [("wrong_state_key", keys_hint, _forgetting(correct, STATE[name]))]
    models += [m for m in _specific_models(name, reference) if m[0] != "state_not_stored"]
    return models + [("hyperparameters_ignored", HINT_IGNORED, _ignoring_hyperparameters(correct, name))]


def _expect_continues_from_given_state(student, reference, name):
    _blaming_config(student, name, lambda: _check_continues_from_given_state(student, reference, name))


def _check_continues_from_given_state(student, reference, name):
    config = GIVEN_CONFIG[name]
    next_w, returned = _student(student, name)(W_GIVEN, DW_GIVEN, _copy(config))
    expected_w, expected = _local(getattr(reference, name))(W_GIVEN, DW_GIVEN, config)
    mistakes = [Mistake(mistake, text, _local(rule)(W_GIVEN, DW_GIVEN, config)[0])
                for mistake, text, rule in _given_state_models(name, reference)]
    expect_close(next_w, expected_w, f"next_w from {name} with the state given in config",
                 mistakes=mistakes)
    state_hint = _state_hint(name, HINT_STATE)
    for key in STATE[name]:
        if key not in returned:
            fail(f"the config returned by {name} has no key '{key}'", hint=state_hint,
                 mistake="state_not_stored")
        expect_close(returned[key], expected[key], f"config['{key}'] after the step", hint=state_hint,
                     mistakes=[Mistake("state_not_stored", state_hint, config[key])])


def _same_iterates(actual, expected):
    """Equal up to round-off, with nan where the other has nan (a rule that fails fails alike)."""
    return actual.shape == expected.shape and bool(np.allclose(actual, expected, rtol=1e-6, atol=1e-9,
                                                               equal_nan=True))


def _expect_defaults(student, name):
    _blaming_config(student, name, lambda: _check_defaults(student, name))


def _check_defaults(student, name):
    """config=None and a partial config give the iterates of the student's own rule run with
    SPEC's defaults written out, so a mistake in the rule itself does not cost this test."""
    run, gradients = _student(student, name), GRADIENTS[:2]

    def iterates(config):
        return _trajectory(run, W0, gradients, config)[0]

    partial = PARTIAL_CONFIG[name]
    holding = f"a config holding only {', '.join(partial)}" if partial else "an empty config"
    spec = {**DEFAULTS[name], **STATE_DEFAULTS.get(name, {})}
    for given, what in ((None, "config=None"), (partial, holding)):
        actual = iterates(_copy(given))
        if _same_iterates(actual, iterates({**spec, **(given or {})})):
            continue
        for key, value in WRONG_DEFAULTS[name]:
            if key not in (given or {}) and _same_iterates(
                    actual, iterates({**spec, **(given or {}), key: value})):
                fail(f"two steps of {name} from {what} differ from the same steps with SPEC's defaults "
                     f"written out: they are the steps with {key} = {value:g}", mistake="wrong_default",
                     hint=f"SPEC's default {key} for {name} is {spec[key]:g}.")
        _expect_spec_keys(student, name)
        fail(f"two steps of {name} from {what} differ from the same steps with SPEC's defaults "
             "written out")


def _expect_arguments_unchanged(student, name):
    w, dw = W_GIVEN.copy(), DW_GIVEN.copy()
    config = _copy(GIVEN_CONFIG.get(name, {"learning_rate": 0.05}))
    result = student.call(name, w, dw, config, return_args=True)
    expect_update(result.value, name, w.shape)
    expect_unchanged(W_GIVEN, result.args_after[0], "the caller's w", hint=HINT_UNCHANGED,
                     mistake="modifies_w")
    expect_unchanged(DW_GIVEN, result.args_after[1], "the caller's dw", hint=HINT_UNCHANGED,
                     mistake="modifies_dw")


def _expect_independent_coordinates(student, name):
    """Updating the whole array equals updating each coordinate on its own (as a 1 x 1 array)."""
    w, dw = W_GIVEN, DW_GIVEN * COLUMN_SCALES[[0, 2, 3]]
    config = GIVEN_CONFIG.get(name, {"learning_rate": 0.05})

    def piece(value, i, j):
        return value[i:i + 1, j:j + 1] if isinstance(value, np.ndarray) else value

    next_w, _ = _student(student, name)(w, dw, _copy(config))
    cells = [(i, j) for i in range(w.shape[0]) for j in range(w.shape[1])]
    singles = student.map(name, [(piece(w, i, j), piece(dw, i, j),
                                  {k: piece(v, i, j) for k, v in config.items()}) for i, j in cells])
    for (i, j), single in zip(cells, singles):
        value, _ = expect_update(single, name, (1, 1))
        if not np.isclose(value[0, 0], next_w[i, j], rtol=1e-9, atol=1e-12):
            fail(f"next_w[{i}, {j}] from the whole {w.shape} array differs from updating coordinate "
                 f"({i}, {j}) on its own", hint=HINT_INDEPENDENT, mistake="coordinates_coupled")


def _quadratic(w):
    return 0.5 * float(np.sum(QUAD_A * (w - QUAD_C) ** 2))


def _expect_descends_quadratic(student, name):
    config, steps = CONVEX_RUNS[name]
    run, w = _student(student, name), QUAD_START
    config = _copy(config)
    for _ in range(steps):
        w, config = run(w, QUAD_A * (w - QUAD_C), config)
    start, end = _quadratic(QUAD_START), _quadratic(w)
    expect_finite(end, f"the quadratic after {steps} steps of {name}")
    if end > start:
        fail(f"{steps} steps of {name} increased the convex quadratic", mistake="moves_uphill",
             hint="the update must move against the gradient: check the sign of every step.")
    if end > CONVEX_FRACTION * start:
        fail(f"{steps} steps of {name} left the convex quadratic above {CONVEX_FRACTION:g} of its "
             "starting value")


# -------------------------------------------------------- the trajectories
@points(2)
def test_sgd_matches_reference_trajectory(student, reference):
    """Four sgd steps on a 3 x 5 array, handing config from call to call, give the right iterates."""
    _expect_trajectory(student, reference, "sgd")


@points(2)
def test_sgd_momentum_matches_reference_trajectory(student, reference):
    """Four sgd_momentum steps on a 3 x 5 array, handing config from call to call, give the right iterates."""
    _expect_trajectory(student, reference, "sgd_momentum")


@points(2)
def test_rmsprop_matches_reference_trajectory(student, reference):
    """Four rmsprop steps on a 3 x 5 array with gradients from 1e-6 to 8 give the right iterates."""
    _expect_trajectory(student, reference, "rmsprop")


@points(2)
def test_adagrad_matches_reference_trajectory(student, reference):
    """Four adagrad steps on a 3 x 5 array with gradients from 1e-6 to 8 give the right iterates."""
    _expect_trajectory(student, reference, "adagrad")


@points(2)
def test_adam_matches_reference_trajectory(student, reference):
    """Four adam steps on a 3 x 5 array with gradients from 1e-6 to 8 give the right iterates."""
    _expect_trajectory(student, reference, "adam")


@points(2)
def test_ema_momentum_matches_reference_trajectory(student, reference):
    """Four ema_momentum steps on a 3 x 5 array, handing config from call to call, give the right iterates."""
    _expect_trajectory(student, reference, "ema_momentum")


# ----------------------------------------------- continuing from given state
@points(1)
def test_sgd_momentum_continues_from_the_velocity_in_config(student, reference):
    """Given config['velocity'], sgd_momentum takes the right step and stores the new velocity."""
    _expect_continues_from_given_state(student, reference, "sgd_momentum")


@points(1)
def test_rmsprop_continues_from_the_cache_in_config(student, reference):
    """Given config['cache'], rmsprop takes the right step and stores the new cache."""
    _expect_continues_from_given_state(student, reference, "rmsprop")


@points(1)
def test_adagrad_continues_from_the_cache_in_config(student, reference):
    """Given config['cache'], adagrad takes the right step and stores the new cache."""
    _expect_continues_from_given_state(student, reference, "adagrad")


@points(2)
def test_adam_continues_from_the_state_in_config(student, reference):
    """Given m, v and t = 3 in config, adam takes the right step and stores the new m, v and t = 4."""
    _expect_continues_from_given_state(student, reference, "adam")


@points(1)
def test_ema_momentum_continues_from_the_average_in_config(student, reference):
    """Given config['M'], ema_momentum takes the right step and stores the new M."""
    _expect_continues_from_given_state(student, reference, "ema_momentum")


# ------------------------------------------------------------------ defaults
@points(1)
@hint(HINT_DEFAULTS)
def test_sgd_uses_defaults_for_missing_config_keys(student):
    """sgd works with config=None and with a partial config, using SPEC's defaults."""
    _expect_defaults(student, "sgd")


@points(1)
@hint(HINT_DEFAULTS)
def test_sgd_momentum_uses_defaults_for_missing_config_keys(student):
    """sgd_momentum works with config=None and with a partial config, using SPEC's defaults."""
    _expect_defaults(student, "sgd_momentum")


@points(1)
@hint(HINT_DEFAULTS)
def test_rmsprop_uses_defaults_for_missing_config_keys(student):
    """rmsprop works with config=None and with a partial config, using SPEC's defaults."""
    _expect_defaults(student, "rmsprop")


@points(1)
@hint(HINT_DEFAULTS)
def test_adagrad_uses_defaults_for_missing_config_keys(student):
    """adagrad works with config=None and with a partial config, using SPEC's defaults."""
    _expect_defaults(student, "adagrad")


@points(1)
@hint(HINT_DEFAULTS)
def test_adam_uses_defaults_for_missing_config_keys(student):
    """adam works with config=None and with a partial config, using SPEC's defaults."""
    _expect_defaults(student, "adam")


@points(1)
@hint(HINT_DEFAULTS)
def test_ema_momentum_uses_defaults_for_missing_config_keys(student):
    """ema_momentum works with config=None and with a partial config, using SPEC's defaults."""
    _expect_defaults(student, "ema_momentum")


# -------------------------------------------------------- arguments untouched
@points(1)
def test_sgd_leaves_w_and_dw_unchanged(student):
    """sgd returns a new array and does not modify the caller's w or dw."""
    _expect_arguments_unchanged(student, "sgd")


@points(1)
def test_sgd_momentum_leaves_w_and_dw_unchanged(student):
    """sgd_momentum returns a new array and does not modify the caller's w or dw."""
    _expect_arguments_unchanged(student, "sgd_momentum")


@points(1)
def test_rmsprop_leaves_w_and_dw_unchanged(student):
    """rmsprop returns a new array and does not modify the caller's w or dw."""
    _expect_arguments_unchanged(student, "rmsprop")


@points(1)
def test_adagrad_leaves_w_and_dw_unchanged(student):
    """adagrad returns a new array and does not modify the caller's w or dw."""
    _expect_arguments_unchanged(student, "adagrad")


@points(1)
def test_adam_leaves_w_and_dw_unchanged(student):
    """adam returns a new array and does not modify the caller's w or dw."""
    _expect_arguments_unchanged(student, "adam")


@points(1)
def test_ema_momentum_leaves_w_and_dw_unchanged(student):
    """ema_momentum returns a new array and does not modify the caller's w or dw."""
    _expect_arguments_unchanged(student, "ema_momentum")


# ------------------------------------------------------ independent coordinates
@points(1)
def test_sgd_updates_each_coordinate_independently(student):
    """sgd on a 4 x 3 array equals sgd on each of its 12 coordinates alone."""
    _expect_independent_coordinates(student, "sgd")


@points(1)
def test_sgd_momentum_updates_each_coordinate_independently(student):
    """sgd_momentum on a 4 x 3 array equals sgd_momentum on each of its 12 coordinates alone."""
    _expect_independent_coordinates(student, "sgd_momentum")


@points(1)
def test_rmsprop_updates_each_coordinate_independently(student):
    """rmsprop on a 4 x 3 array equals rmsprop on each of its 12 coordinates alone."""
    _expect_independent_coordinates(student, "rmsprop")


@points(1)
def test_adagrad_updates_each_coordinate_independently(student):
    """adagrad on a 4 x 3 array equals adagrad on each of its 12 coordinates alone."""
    _expect_independent_coordinates(student, "adagrad")


@points(1)
def test_adam_updates_each_coordinate_independently(student):
    """adam on a 4 x 3 array equals adam on each of its 12 coordinates alone."""
    _expect_independent_coordinates(student, "adam")


@points(1)
def test_ema_momentum_updates_each_coordinate_independently(student):
    """ema_momentum on a 4 x 3 array equals ema_momentum on each of its 12 coordinates alone."""
    _expect_independent_coordinates(student, "ema_momentum")


# ------------------------------------------------------------ convex descent
@points(1)
def test_sgd_decreases_a_convex_quadratic(student):
    """30 sgd steps (learning_rate 0.2) bring a convex quadratic on a 3 x 4 array below 10% of its start."""
    _expect_descends_quadratic(student, "sgd")


@points(1)
def test_sgd_momentum_decreases_a_convex_quadratic(student):
    """30 sgd_momentum steps bring a convex quadratic on a 3 x 4 array below 10% of its start."""
    _expect_descends_quadratic(student, "sgd_momentum")


@points(1)
def test_rmsprop_decreases_a_convex_quadratic(student):
    """60 rmsprop steps bring a convex quadratic on a 3 x 4 array below 10% of its start."""
    _expect_descends_quadratic(student, "rmsprop")


@points(1)
def test_adagrad_decreases_a_convex_quadratic(student):
    """40 adagrad steps bring a convex quadratic on a 3 x 4 array below 10% of its start."""
    _expect_descends_quadratic(student, "adagrad")


@points(1)
def test_adam_decreases_a_convex_quadratic(student):
    """60 adam steps bring a convex quadratic on a 3 x 4 array below 10% of its start."""
    _expect_descends_quadratic(student, "adam")


@points(1)
def test_ema_momentum_decreases_a_convex_quadratic(student):
    """40 ema_momentum steps bring a convex quadratic on a 3 x 4 array below 10% of its start."""
    _expect_descends_quadratic(student, "ema_momentum")


# ------------------------------------------------------------------ properties
@points(1)
@given(shape=distinct_dims(2, 1, 5), data=st.data())
def test_sgd_momentum_with_zero_momentum_is_sgd(student, reference, shape, data):
    """With momentum 0, sgd_momentum takes exactly the sgd step, whatever velocity config holds."""
    w, dw = data.draw(arrays(shape), label="w"), data.draw(arrays(shape), label="dw")
    velocity = data.draw(arrays(shape, -1, 1), label="velocity")
    lr = data.draw(floats(1e-3, 1.0), label="learning_rate")
    next_w, _ = _student(student, "sgd_momentum")(
        w, dw, {"learning_rate": lr, "momentum": 0.0, "velocity": velocity})
    expected, _ = reference.sgd(w, dw, {"learning_rate": lr})
    expect_close(next_w, expected, "next_w with momentum 0", mistakes=[
        Mistake("momentum_sign_flipped", HINT_MOMENTUM_SIGN, w + lr * dw)])


@points(2)
@given(shape=distinct_dims(2, 1, 5), data=st.data())
def test_adam_first_step_has_size_learning_rate_at_any_gradient_scale(student, shape, data):
    """From a fresh config, every coordinate of adam's first step has size learning_rate, against dw's sign."""
    w = data.draw(arrays(shape), label="w")
    dw = data.draw(any_scale(shape), label="dw")
    lr = data.draw(st.sampled_from([None, 1e-2, 3e-4]), label="learning_rate")
    config = None if lr is None else {"learning_rate": lr}
    lr = 1e-3 if lr is None else lr
    next_w, _ = _student(student, "adam")(w, dw, config)
    _expect_no_division_by_zero_t(next_w, "adam")
    # The exact step is lr * |dw| / (|dw| + 1e-8): within 2e-4 of lr for |dw| >= 5e-5.
    # rtol 1e-3 leaves room for that, while the mistakes are off by 10% to 200%.
    models = [("missing_bias_correction", HINT_BIAS, functools.partial(_adam, bias=False)),
              ("eps_inside_sqrt", HINT_EPS, functools.partial(_adam, eps_inside=True)),
              ("v_updated_from_m", HINT_V_FROM_M, functools.partial(_adam, v_from="m_new"))]
    mistakes = [Mistake(name, text, w - _local(rule)(w, dw, config)[0]) for name, text, rule in models]
    expect_close(w - next_w, lr * np.sign(dw), "w - next_w (the first step)", rtol=1e-3, atol=0.0,
                 mistakes=mistakes)


@points(1)
@hint(HINT_ADAGRAD_DECAY)
@given(shape=distinct_dims(2, 1, 5), data=st.data())
def test_adagrad_cache_never_decreases(student, shape, data):
    """Over three adagrad steps (the last with a tiny gradient), config['cache'] never decreases."""
    w = data.draw(arrays(shape), label="w")
    g1, g2 = data.draw(arrays(shape), label="dw1"), data.draw(arrays(shape), label="dw2")
    run, config, previous = _student(student, "adagrad"), None, np.zeros(shape)
    for dw in (g1, g2, 1e-3 * g2):
        w, config = run(w, dw, config)
        if "cache" not in config:
            fail("the config returned by adagrad has no key 'cache'", mistake="state_not_stored",
                 hint=_state_hint("adagrad", HINT_STATE))
        cache = expect_shape(config["cache"], shape, "config['cache']")
        if np.any(cache < previous):
            fail("config['cache'] decreased from one step to the next", mistake="adagrad_cache_decays",
                 hint=HINT_ADAGRAD_DECAY)
        previous = cache


@points(1)
def test_ema_momentum_course_moving_average_example(student):
    """With gamma 0.1 and gradients of ones from M = 0, M is 0.9, 0.99, 0.999 (on a 2 x 3 array)."""
    run, w, config, averages = _student(student, "ema_momentum"), np.zeros((2, 3)), {
        "learning_rate": 0.5, "gamma": 0.1}, []
    for _ in range(3):
        w, config = run(w, np.ones((2, 3)), config)
        if "M" not in config:
            fail("the config returned by ema_momentum has no key 'M'", mistake="state_not_stored",
                 hint=_state_hint("ema_momentum", HINT_STATE))
        averages.append(np.asarray(config["M"], dtype=float))
    expect_close(np.array(averages), np.array([0.9, 0.99, 0.999])[:, None, None] * np.ones((3, 2, 3)),
                 "config['M'] after each step", mistakes=[
                     Mistake("gamma_swapped", HINT_EMA_SWAP,
                             np.array([0.1, 0.19, 0.271])[:, None, None] * np.ones((3, 2, 3))),
                     Mistake("missing_one_minus_gamma", HINT_EMA_MIX,
                             np.array([1.0, 1.1, 1.11])[:, None, None] * np.ones((3, 2, 3))),
                     Mistake("bias_corrected", "ema_momentum has no bias correction: M itself is "
                             "0.9, 0.99, 0.999 here.", np.ones((3, 2, 3)))])
    expect_close(w, np.full((2, 3), -0.5 * (0.9 + 0.99 + 0.999)), "w after three steps",
                 hint=HINT_EMA_SIGN)
