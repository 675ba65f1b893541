"""Fast when called, slow when its calls are replayed into a rebuilt worker: it watches its
own channel for the batch that replays (the one that does not stop at an error) and then
takes nearly the replay's generous limit for every request. f and g are the identity."""
import gc
import time

_replaying = [False]


def _install() -> None:
    for thing in gc.get_objects():
        if type(thing).__name__ == "Channel" and hasattr(thing, "receive"):
            original = thing.receive

            def receive(original=original):
                message = original()
                if isinstance(message, dict) and message.get("op") == "batch":
                    _replaying[0] = message.get("stop_on_error") is False
                return message

            thing.receive = receive


_install()


def f(x):
    if _replaying[0]:
        time.sleep(9.0)
    return x


def g(x):
    return x
