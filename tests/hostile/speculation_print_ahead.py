"""Prints every request its worker receives and claims, in each reply, that everything it will
ever print was printed by then: what it printed after seeing the next planned request (which
a live run might never send) would show as this test's output. f is the identity."""
import gc


def _install() -> None:
    for thing in gc.get_objects():
        if type(thing).__name__ == "Channel" and hasattr(thing, "receive"):
            receive, send = thing.receive, thing.send

            def receiving(receive=receive):
                message = receive()
                if isinstance(message, dict) and message.get("op") == "call":
                    print("saw", message.get("args"), flush=True)
                return message

            def sending(message, send=send):
                if isinstance(message, dict) and "printed" in message:
                    message["printed"] = 10 ** 12
                return send(message)

            thing.receive, thing.send = receiving, sending


_install()


def f(x):
    return x
