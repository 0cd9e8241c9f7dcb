"""NATS JetStream backend: stream per deployment, durable pull consumers, explicit acks.

- one stream (``SUNLIGHT``) on ``<prefix>.>``; an event of type ``t`` goes to ``<prefix>.t``
  with ``Nats-Msg-Id`` = event id, so the server drops a re-published duplicate within its
  2-minute window (the inbox makes consumers idempotent beyond it);
- one durable pull consumer per (service, event type): explicit ack after the effect's
  commit, ``nak`` with exponential delay on failure, ``term`` once dead-lettered;
- consumers long-poll (``fetch`` with a short timeout), so an event is seen within
  milliseconds of its publication.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig

from sunlight.events.bus.base import BusMisconfigured, BusUnavailable, Outcome, Outgoing, Process

SUBJECTS_OVERLAP = 10065  # JetStream's err_code for "subjects overlap with an existing stream"
log = logging.getLogger("sunlight.bus.nats")


class NatsBus:
    def __init__(
        self,
        url: str,
        *,
        stream: str = "SUNLIGHT",
        prefix: str = "sunlight",
        client_name: str = "sunlight",
        max_deliver: int = 8,
        ack_wait: float = 30.0,
    ) -> None:
        self.url = url
        self.stream = stream
        self.prefix = prefix
        self.client_name = client_name
        self.max_deliver = max_deliver
        self.ack_wait = ack_wait
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._stream_ready = False
        self._connecting: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Connect, or keep trying in the background: a service starts (not ready) while NATS is down."""
        if self._connecting is None:
            self._connecting = asyncio.create_task(self._connect_loop(), name="nats connect")
        try:
            await asyncio.wait_for(asyncio.shield(self._connecting), timeout=2.5)
        except TimeoutError:
            log.warning("nats: %s not reachable yet; retrying in the background", self.url)

    async def _connect_loop(self) -> None:
        delay = 0.25
        while True:
            try:
                self._nc = await nats.connect(
                    self.url,
                    name=self.client_name,
                    connect_timeout=2,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    error_cb=self._on_error,
                    disconnected_cb=self._on_disconnect,
                    reconnected_cb=self._on_reconnect,
                )
                self._js = self._nc.jetstream(timeout=5)
                return
            except Exception as exc:
                log.debug("nats: connect to %s failed: %s", self.url, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _connected(self) -> JetStreamContext:
        if self._js is None or self._nc is None:
            raise BusUnavailable(f"not connected to NATS at {self.url}")
        return self._js

    async def _on_error(self, exc: Exception) -> None:
        log.debug("nats: %s", exc)

    async def _on_disconnect(self) -> None:
        log.warning("nats: disconnected from %s", self.url)

    async def _on_reconnect(self) -> None:
        log.info("nats: reconnected to %s", self.url)

    async def _ensure_stream(self) -> JetStreamContext:
        js = await self._connected()
        if not self._stream_ready:
            config = StreamConfig(
                name=self.stream, subjects=[f"{self.prefix}.>"], storage=StorageType.FILE, duplicate_window=120.0
            )
            for attempt in range(1, 6):
                try:
                    await js.add_stream(config)
                except nats.js.errors.BadRequestError as exc:
                    if exc.err_code != SUBJECTS_OVERLAP:
                        await js.update_stream(config)  # exists with another config: bring it in line
                    elif (owner := await self._owner()) != self.stream or attempt == 5:
                        raise self._overlap(owner) from exc
                    else:  # our own stream, being created this moment by another replica: ask again
                        await asyncio.sleep(0.05 * attempt)
                        continue
                break
            self._stream_ready = True
        return js

    async def _owner(self) -> str | None:
        """The stream that takes our subjects, if the server says."""
        js = await self._connected()
        try:
            return await js.find_stream_name_by_subject(f"{self.prefix}.>")
        except Exception:
            return None

    def _overlap(self, owner: str | None) -> BusMisconfigured:
        """Another stream (``owner``, when the server said) already takes our subjects: say which, and which
        settings give us our own."""
        other = owner or "another stream"
        return BusMisconfigured(
            f"the NATS stream {other!r} already takes subjects overlapping {self.prefix}.> (stream {self.stream!r} "
            "cannot be created): set SUNLIGHT_NATS_SUBJECT_PREFIX (and SUNLIGHT_NATS_STREAM) to a prefix of this "
            "deployment's own, or remove that stream"
        )

    async def close(self) -> None:
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
        if self._nc is not None:
            # every message we took was acked before its consumer stopped, and publishes are
            # confirmed one by one: flush and close (drain would wait for the pull subscriptions)
            with contextlib.suppress(Exception):
                await self._nc.flush(timeout=1)
            with contextlib.suppress(Exception):
                await self._nc.close()
            self._nc = None
            self._js = None

    async def ping(self) -> None:
        if self._nc is None or not self._nc.is_connected:
            raise BusUnavailable(f"not connected to NATS at {self.url}")
        try:
            await self._ensure_stream()
            await self._nc.flush(timeout=1)
        except BusMisconfigured:
            raise
        except Exception as exc:
            raise BusUnavailable(f"NATS at {self.url}: {exc}") from exc

    def subject(self, event_type: str) -> str:
        return f"{self.prefix}.{event_type}"

    async def publish(self, event_type: str, body: bytes, *, msg_id: str) -> None:
        if self._nc is None or not self._nc.is_connected:
            raise BusUnavailable(f"not connected to NATS at {self.url}")
        js = await self._ensure_stream()
        try:
            await js.publish(self.subject(event_type), body, headers={"Nats-Msg-Id": msg_id}, timeout=2)
        except nats.js.errors.NoStreamResponseError:
            # no stream answered: it was just created (interest not yet propagated) or deleted meanwhile;
            # make sure it exists and try once more — a duplicate is dropped by Nats-Msg-Id anyway
            self._stream_ready = False
            js = await self._ensure_stream()
            await asyncio.sleep(0.05)
            await js.publish(self.subject(event_type), body, headers={"Nats-Msg-Id": msg_id}, timeout=2)

    async def publish_many(self, events: list[Outgoing]) -> int:
        """Pipelined: every publish is sent before any acknowledgement is awaited (one round trip, not N)."""
        if len(events) == 1:
            event_type, body, msg_id = events[0]
            await self.publish(event_type, body, msg_id=msg_id)
            return 1
        if self._nc is None or not self._nc.is_connected:
            raise BusUnavailable(f"not connected to NATS at {self.url}")
        js = await self._ensure_stream()
        futures = [
            await js.publish_async(self.subject(event_type), body, headers={"Nats-Msg-Id": msg_id}, wait_stall=5)
            for event_type, body, msg_id in events
        ]
        acked = 0
        for future in futures:
            try:
                await asyncio.wait_for(future, timeout=5)
            except Exception as exc:  # not stored (or not known to be): this one and the rest are sent again
                for rest in futures[acked + 1 :]:
                    rest.cancel()
                if acked == 0:
                    raise BusUnavailable(f"NATS at {self.url}: {type(exc).__name__}") from exc
                break
            acked += 1
        return acked

    async def pending(self, durable: str, event_type: str) -> int | None:
        js = await self._connected()
        try:
            info = await js.consumer_info(self.stream, durable)
        except nats.js.errors.NotFoundError:
            return None
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)

    async def consume(self, durable: str, event_type: str, process: Process, stop: asyncio.Event) -> None:
        subscription = None
        try:
            while not stop.is_set():
                try:
                    if subscription is None:
                        js = await self._ensure_stream()
                        config = ConsumerConfig(
                            durable_name=durable,
                            ack_policy=AckPolicy.EXPLICIT,
                            deliver_policy=DeliverPolicy.ALL,
                            ack_wait=self.ack_wait,
                            max_deliver=self.max_deliver + 2,
                            max_ack_pending=256,
                            filter_subject=self.subject(event_type),
                        )
                        subscription = await js.pull_subscribe(
                            self.subject(event_type), durable=durable, stream=self.stream, config=config
                        )
                    try:
                        messages = await subscription.fetch(batch=50, timeout=1)
                    except (TimeoutError, nats.errors.TimeoutError):
                        continue
                    for message in messages:
                        deliveries = message.metadata.num_delivered or 1
                        outcome = await process(message.data, deliveries)
                        if outcome is Outcome.RETRY:
                            await message.nak(delay=min(0.5 * 2**deliveries, 60.0))
                        elif outcome is Outcome.DEAD:
                            await message.term()
                        else:
                            await message.ack()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # connection lost, consumer deleted…: rebuild after a pause
                    log.warning("nats consumer %s: %s: %s", durable, type(exc).__name__, exc)
                    subscription = None
                    self._stream_ready = False
                    await asyncio.sleep(0.5)
        finally:
            if subscription is not None:
                with contextlib.suppress(Exception):
                    await subscription.unsubscribe()
