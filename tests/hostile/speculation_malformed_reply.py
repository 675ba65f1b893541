"""Answers f(2) with a frame the wire cannot decode (an array with no dtype), written on its
reply pipe by hand; every other call is answered honestly. f is the identity."""
import gc
import json
import os
import struct


def _install() -> None:
    for thing in gc.get_objects():
        if type(thing).__name__ == "Channel" and hasattr(thing, "send"):
            send = thing.send

            def sending(message, send=send, channel=thing):
                if isinstance(message, dict) and message.get("value") == 2:
                    header = json.dumps({"__ndarray__": [1]}).encode()
                    os.write(channel.reply_fd, struct.pack("<QI", 4 + len(header), len(header)) + header)
                    return True
                return send(message)

            thing.send = sending


_install()


def f(x):
    return x
