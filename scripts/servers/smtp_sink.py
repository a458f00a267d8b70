#!/usr/bin/python3
"""A throwaway SMTP sink for the notification tests (started by smtp-sink.sh; Debian's python3-aiosmtpd).

Listens on 127.0.0.1 only, offers STARTTLS with the certificate it is given and requires it before MAIL, accepts
AUTH (PLAIN/LOGIN, only after STARTTLS) for the one user it is given, and writes every message it accepts to
MAILDIR/<n>.eml with MAILDIR/<n>.json beside it (envelope sender and recipients, whether TLS and AUTH were used).
Both files appear atomically (written under a temporary name, then renamed), the .json last.
"""
import argparse
import asyncio
import itertools
import json
import os
import signal
import ssl
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, maildir):
        self.maildir = maildir
        self.counter = itertools.count(1)

    def _write(self, name, data):
        temporary = os.path.join(self.maildir, "." + name + ".tmp")
        with open(temporary, "wb") as f:
            f.write(data)
        os.rename(temporary, os.path.join(self.maildir, name))

    async def handle_DATA(self, server, session, envelope):
        stem = "%d-%06d" % (int(time.time() * 1000), next(self.counter))
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        self._write(stem + ".eml", content)
        meta = {
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
            "login": session.auth_data.decode("utf-8", "replace") if isinstance(session.auth_data, bytes) else None,
        }
        self._write(stem + ".json", json.dumps(meta).encode("utf-8"))
        return "250 Message accepted for delivery"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode("utf-8") and auth_data.password == password.encode("utf-8"))
        return AuthResult(success=ok, auth_data=auth_data.login if ok else None, handled=False)
    return check


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    sink = Sink(args.maildir)

    def factory():
        return SMTP(sink, hostname="smtp-sink.local", tls_context=context, require_starttls=True,
                    auth_required=False, auth_require_tls=True, authenticator=authenticator(args.user, args.password))

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(factory, host="127.0.0.1", port=args.port))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    print("smtp sink listening on 127.0.0.1:%d, writing to %s" % (args.port, args.maildir), flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()


if __name__ == "__main__":
    main()
