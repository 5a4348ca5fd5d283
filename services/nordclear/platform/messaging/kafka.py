"""aiokafka clients and topic administration, configured the way the clearing house relies on them.

The embedded broker (Tansu) supports neither the idempotent producer nor transactions, and production
does not need them: the outbox gives at-least-once publishing and the inbox exactly-once effects. So
producers use acks=all without idempotence, and consumers never auto-commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from nordclear.platform.logging import get_logger
from nordclear.platform.topology import DEFAULT_PARTITIONS

log = get_logger(__name__)

TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno


def new_producer(bootstrap_servers: str, client_id: str) -> AIOKafkaProducer:
    """A producer that waits for all in-sync replicas and keeps per-partition order."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=False,
        linger_ms=5,
        request_timeout_ms=15_000,
    )


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str],
    *,
    partitions: int = DEFAULT_PARTITIONS,
    replication_factor: int = 1,
    timeout_ms: int = 30_000,
) -> None:
    """Create ``topics`` that do not exist yet; existing ones are left as they are."""
    deadline = asyncio.get_running_loop().time() + timeout_ms / 1000
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="nordclear-admin")
        try:
            await admin.start()
            break
        except KafkaConnectionError:
            await admin.close()
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.2)
    try:
        wanted = sorted(set(topics))
        existing = set(await admin.list_topics())
        missing = [name for name in wanted if name not in existing]
        if not missing:
            return
        response = await admin.create_topics(
            [NewTopic(name, partitions, replication_factor) for name in missing]
        )
        for name, error_code, error_message in response.topic_errors:
            if error_code not in (0, TOPIC_ALREADY_EXISTS):
                raise RuntimeError(f"cannot create topic {name}: {error_code} {error_message}")
        log.info("topics created", topics=missing, partitions=partitions)
    finally:
        await admin.close()
