"""Serve the version behind an alias and reload when the alias moves.
PEDIGREE_URL and PEDIGREE_TOKEN come from the environment."""

import asyncio
import signal
import sys
import uuid
from pathlib import Path

from pedigree_client import AliasChange, AsyncPedigreeClient


async def main(model: str, alias: str) -> None:
    async with AsyncPedigreeClient() as client:
        predictions = client.prediction_logger(deployment=f"{model}-api")
        serving: dict[str, object] = {}

        # The first call is the alias's current version (type CURRENT), then every move, exactly once, in order.
        async def reload(change: AliasChange) -> None:
            if change.version is None:
                print(f"{model}@{alias} was deleted; still serving version {serving.get('version')}", flush=True)
                return
            # Verified against the registry's SHA-256 while it streams: a mismatch raises and leaves no file behind.
            got = await client.download(f"models:/{model}/{change.version}", Path("models", model, str(change.version)))
            serving.update(version=change.version, weights=(got.dir / got.files[0]).read_bytes())
            print(f"serving {model} version {change.version} (sequence {change.sequence})", flush=True)

        client.watch(model, alias, reload, on_error=lambda err: print(f"reload failed: {err}", file=sys.stderr))

        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        while not stop.is_set():  # a stand-in for request handling: every prediction is logged with its version
            if "version" in serving:
                predictions.log(str(uuid.uuid4()), f"models:/{model}/{serving['version']}")
            try:
                await asyncio.wait_for(stop.wait(), 0.1)
            except asyncio.TimeoutError:
                pass
    # Leaving `async with` closes the client, which sends the predictions still buffered.


if __name__ == "__main__":
    model, alias = (sys.argv[1:3] + ["fraud", "production"][len(sys.argv[1:3]):])
    asyncio.run(main(model, alias))
