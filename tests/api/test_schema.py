"""The API against its own OpenAPI document, driven by schemathesis.

Every operation gets generated requests, valid and invalid: none may answer
5xx, and every response must match the status codes and schemas that the
document declares. The number of examples is bounded to keep the suite fast.
"""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from abm.api import load_resources
from abm.api.imports import XLSX
from abm.api.openapi import build_document
from abm.users.tokens import issue_token

EXAMPLES = 12
# A campaign's templates are valid when they compile and render in the sandbox, and its
# audience when its rules fit their fields: no JSON schema can say so, so there a
# schema-valid request may be refused with 422. Every other check still applies.
RENDERED = {"campaigns"}
# A contact's address is valid when email-validator accepts it (RFC 5321 and 6531 syntax,
# IDNA domains, no special-use names): no pattern can say so either, so a contact written
# with a schema-valid address may be refused with 422.
VALIDATED_WRITES = {("contacts", "POST"), ("contacts", "PATCH")}
# A price's or promotion's period ends on or after its first day, and a notice needs
# accounts that bought the products: no JSON schema compares two fields or counts
# buyers, so such a schema-valid request may be refused with 422.
VALIDATED_WRITES |= {("prices", "POST"), ("prices", "PUT")}
# A loyalty programme's tiers must suit its rule (the revenue rule needs a minimum for each,
# lowest first): a schema-valid programme may be refused with 422 too.
VALIDATED_WRITES |= {("loyalty", "POST"), ("loyalty", "PUT")}
# A setting's value is checked by its section (limits, a time zone name, a currency in use).
VALIDATED_WRITES |= {("settings", "PATCH")}
# A loss mark's reason is one of the workspace's own list (a setting), which the
# document cannot enumerate: a schema-valid reason may be refused with 422.
VALIDATED_WRITES |= {("losses", "POST")}

load_resources()


@schemathesis.serializer(XLSX)
def _raw_file(_ctx, value):
    """Uploads are raw bytes: send what was generated as is."""
    return value if isinstance(value, bytes) else str(value).encode()


# The document is the one /api/v1/openapi.json serves (a test below checks it);
# each call goes to the test's own app, inside its rolled-back transaction.
schema = schemathesis.openapi.from_dict(build_document())
# Every call carries a valid token (below), so a generated case whose only fault is a
# missing token would reach the server as a valid request; the access tests cover
# requests without one.
schema.config.generation.update(with_security_parameters=False)


def filter_query(_ctx, query) -> bool:
    """Drop cases with a null query value: the test client leaves such a parameter out,
    so an "unknown parameter" case would reach the server as a valid request."""
    return not isinstance(query, dict) or all(v is not None for v in query.values())


@schema.hooks.apply(filter_query)
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_operation_conforms_to_the_document(case, app, session, users, book):
    # A fresh token for each call: a generated DELETE /tokens/{id} may revoke one.
    _, token = issue_token(session, users["admin"].id, "schemathesis")
    session.commit()
    # Calls and the checks' own probes (e.g. the same call without a token) go to this app.
    case.operation.schema.app = app
    case.operation.app = app
    tags = set(case.operation.tags or ())
    validated = {(tag, case.operation.method.upper()) for tag in tags} & VALIDATED_WRITES
    excluded = [positive_data_acceptance] if RENDERED & tags or validated else []
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                           excluded_checks=excluded)


def test_the_served_document_is_the_one_tested(api):
    assert api.get("/openapi.json").get_json() == build_document()
