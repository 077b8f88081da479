"""Every operation's effect, declared once in `spec/endpoints.yaml` and reviewed here.

The list below is the review: a change to the spec's `effects` section fails this test until the
list is changed too. The client's retries follow the declared effect, not the operation's name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from altinn2.runtime.operation import Effect
from altinn2.runtime.registry import operation_index
from generator.errors import SpecError
from generator.spec import EFFECTS, load_spec, parse_spec
from tests.generator.test_spec import GOOD_ROW, minimal_spec

ROOT = Path(__file__).resolve().parents[2]

READ = "read"
WRITE = "write"
SIDE_EFFECT = "read-with-side-effect"

REVIEWED = {
    "ArchiveCase": WRITE,
    "CompleteAndSignShipment": WRITE,
    "DeleteCorrespondence": WRITE,
    "DeleteReporteeElement": WRITE,
    "DoSendingInAction": WRITE,
    "DoSigning": WRITE,
    "DownloadFileStreamed": SIDE_EFFECT,  # registered as the recipient's download
    "GetAltinnSubmissionStatus": READ,
    "GetArchivedFormTaskV2": READ,
    "GetArchivedLookup": READ,
    "GetAttachmentDataStreamed": READ,
    "GetAttachmentDataV2": READ,
    "GetAuthenticationChallenge": SIDE_EFFECT,  # sends an SMS or e-mail pin to a person
    "GetAvailableActionsV2": READ,
    "GetAvailableFiles": READ,
    "GetAvailableServicesV2": READ,
    "GetCaseList": READ,
    "GetCertificates": READ,
    "GetCorrespondenceForEndUserSystemV2": SIDE_EFFECT,  # marks the correspondence read
    "GetCorrespondenceListForArchiveRef": READ,
    "GetCorrespondenceListForReportee": READ,
    "GetFormSetData": READ,
    "GetFormSetElementsV2": READ,
    "GetFormTaskSchemaDefinitions": READ,
    "GetNextWorkflowStateTypeInProcessFlowV2": READ,
    "GetPrefillData": READ,
    "GetProcessDetailsV2": READ,
    "GetProcessDetailsV3": READ,
    "GetProcessStepIDForParallelSigning": READ,
    "GetReceiptListV2": READ,
    "GetReceiptV2": READ,
    "GetReporteeElementListV2": READ,
    "GetSigningText": READ,
    "InitiateBrokerService": WRITE,
    "InstantiateCollaboration": WRITE,
    "PrepareUserControlledSigning": WRITE,
    "SaveCorrespondenceConfirmation": WRITE,
    "SetBackToFormFilling": WRITE,
    "SubmitAttachmentStreamed": WRITE,
    "SubmitFormTask": WRITE,
    "UpdateFormData": WRITE,
    "UpdateReceipt": WRITE,
    "UploadFileStreamed": WRITE,
}


def test_the_spec_classifies_every_base_operation_as_reviewed() -> None:
    spec = load_spec(ROOT / "spec" / "endpoints.yaml")
    assert spec.effects == REVIEWED
    assert {row.effective_base_operation for row in spec.endpoints} == set(REVIEWED)


def test_every_generated_operation_carries_its_declared_effect() -> None:
    operations = operation_index().operations
    assert len(operations) > 50
    for op in operations:
        assert op.effect is Effect(REVIEWED[op.base_operation]), op.label
    assert {Effect(value) for value in EFFECTS} == set(Effect)


def test_only_reads_are_repeatable() -> None:
    assert [effect for effect in Effect if effect.repeatable] == [Effect.READ]


@pytest.mark.parametrize(
    ("effects", "line", "field", "message"),
    [
        ("", 11, "effects", "base operation GetCaseList is not classified"),
        ("effects:\n  GetCaseList: maybe\n", 17, "effects.GetCaseList", "unknown effect 'maybe'"),
        (
            "effects:\n  GetCaseList: read\n  GetCaseListV9: write\n",
            18,
            "effects.GetCaseListV9",
            "no row has this base operation",
        ),
    ],
    ids=["missing", "unknown-effect", "no-such-operation"],
)
def test_a_wrong_effects_section_is_one_line_naming_file_line_and_field(
    effects: str, line: int, field: str, message: str
) -> None:
    text = minimal_spec(GOOD_ROW, effects=effects or "effects: {}\n")
    with pytest.raises(SpecError) as caught:
        parse_spec(text, "spec/endpoints.yaml")
    error = caught.value
    assert (error.line, error.field) == (line, field), str(error)
    assert message in str(error) and "\n" not in str(error)


def test_invalid_utf8_in_the_spec_is_one_line_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.yaml"
    path.write_bytes(minimal_spec().encode().replace(b"label: EC", b"label: E\xff\xfeC"))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert str(caught.value) == f"{path}:6: not UTF-8: byte 0xff at column 13"
