"""Schemathesis against the OpenAPI description: generated requests (valid and invalid) to every
operation, as an admin with an API token over the demo's workspace, never get a 5xx; at least
1000 requests in all. The operations that verify the whole workspace per request (overview,
gates, evidence: about 0.3 s each) get a few examples, the others share the rest."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from heatproof.records import users as users_repo

MIN_REQUESTS = 1000
HEAVY = {"/api/overview": 3, "/api/gates": 5, "/api/evidence": 5}  # examples per mode


def _token(app) -> str:
    with app.state.workspace.unit_of_work() as s:
        return users_repo.new_api_token(s, users_repo.get_user(s, "admin"), "schemathesis")


def _run(operation, mode, examples: int, headers: dict, sent: list, errors: list) -> None:
    """Call ``operation`` with up to ``examples`` cases of generation ``mode``."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        response = case.call(headers=headers)
        sent.append(1)
        if response.status_code >= 500:
            errors.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

    try:
        call()
    except Unsatisfiable:  # nothing to make invalid (an operation without parameters)
        assert mode is GenerationMode.NEGATIVE


def test_no_server_error_over_generated_requests(demo_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", demo_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    headers = {"Authorization": f"Bearer {_token(demo_app)}"}
    light = [op for op in operations if op.path not in HEAVY]
    per_light = (MIN_REQUESTS - 2 * sum(HEAVY.values())) // (2 * len(light)) + 12
    sent, errors = [], []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            examples = HEAVY.get(operation.path, per_light)
            _run(operation, mode, examples, headers, sent, errors)
    assert not errors, errors[:5]
    assert len(sent) >= MIN_REQUESTS
