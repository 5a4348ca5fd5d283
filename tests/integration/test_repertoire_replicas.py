"""Two repertoire replicas on one PostgreSQL database: each one's search sees the other's writes.

A replica's after-commit hook sees only its own writes; the search follower brings the other replicas'
work events into its index, through the real broker.
"""

from __future__ import annotations

import grpc
import pytest

from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.topology import REPERTOIRE
from nordclear.repertoire import bootstrap
from tests.conftest import Keys, _create_database, _drop_database
from tests.support.clients import a_work, bearer
from tests.support.polling import eventually
from tests.support.services import running_service, service_environment

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


async def test_a_replica_finds_the_works_another_replica_registered_on_postgres(
    postgres_server_url: str, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> None:
    database_url = await _create_database(postgres_server_url)
    environment = service_environment(
        REPERTOIRE,
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_namespace=kafka_namespace,
        public_key_file=keys.public_key_file,
    )
    stim = bearer(keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM")))
    try:
        async with (
            running_service(REPERTOIRE, bootstrap.build, environment) as first,
            running_service(REPERTOIRE, bootstrap.build, environment) as second,
            grpc.aio.insecure_channel(f"127.0.0.1:{first.bound_port}") as first_channel,
            grpc.aio.insecure_channel(f"127.0.0.1:{second.bound_port}") as second_channel,
        ):
            writer = pb_grpc.RepertoireServiceStub(first_channel)
            reader = pb_grpc.RepertoireServiceStub(second_channel)
            search = pb.SearchWorksRequest(title="Flickorna i Småland", top_k=3)
            before = await reader.SearchWorks(search, metadata=stim)
            registered = await writer.RegisterWork(
                pb.RegisterWorkRequest(request_id="replica-1", work=a_work("Flickorna i Småland", "")),
                metadata=stim,
            )
            found = await eventually(
                lambda: reader.SearchWorks(search, metadata=stim),
                lambda answer: len(answer.hits) > 0,
                what="the other replica's write to reach this replica's search index",
            )
    finally:
        await _drop_database(database_url)

    assert list(before.hits) == []
    assert [hit.work.work_id for hit in found.hits] == [registered.work.work_id]
