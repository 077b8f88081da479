# ruff: noqa: E501  (the sources under test are the long one-line statements the templates print)
"""The templates' long lines written as black writes them: black makes the same of them as of the
original, in one pass (black leaves the result as it is)."""

from __future__ import annotations

from generator import formatcache
from generator.blackened import blacken_lines, blacken_module
from generator.models.render import black_blank_lines

# Each shape the service template prints, one-line and too long, in single quotes as repr() gives.
RAW_SERVICE = '''
"""A service. Its docstring keeps 'single quotes' and a very long line that black does not touch at all, ever."""

from __future__ import annotations

from altinn2.runtime.operation import Credential, Effect, Endpoint

__all__ = [
    'AsyncThing',
    'Thing',
]

_SOME_SERVICE_EXTERNAL_BASIC = Endpoint(
    service='SomeService',
    path='/SomeServiceExternal/SomeServiceExternalBasic.svc',
    actions='http://www.altinn.no/services/ServiceEngine/SomeService/2009/10/ISomeServiceExternalBasicWithAVeryLongName',
    credentials={'system_user_name': Credential.SYSTEM_USER_NAME, 'system_password': Credential.SYSTEM_PASSWORD},
)

SHORT = _SOME_SERVICE_EXTERNAL_BASIC.operation(Effect.READ, Input, Output)

GET_SOMETHING_FROM_THE_SERVICE = _SOME_SERVICE_EXTERNAL_BASIC.operation(Effect.READ, GetSomethingInput, GetSomethingOutput)

UPLOAD_SOMETHING_STREAMED_BASIC = _SOME_SERVICE_EXTERNAL_BASIC.operation(Effect.WRITE, StreamedPayloadBasic, ReceiptStreamed, result=None, name='UploadSomethingStreamedBasic', credentials={'system_user_name': Credential.SYSTEM_USER_NAME, 'system_password': Credential.SYSTEM_PASSWORD})

_GET_SOMETHING: BaseOperation[list[Something]] = BaseOperation('GetSomething', basic='get_something_basic', ec='get_something_ec')

_COMPLETE_AND_SIGN_SOMETHING: BaseOperation[ReceiptExternalBE | ReceiptExternal | None] = BaseOperation('CompleteAndSignSomething', basic=Route('complete_and_sign_something_basic', Absent('signature')))

_GET_A_LIST_OF_SOMETHING_FOR_REF: BaseOperation[list[ReporteeElementBE] | list[ReporteeElementBEV2]] = BaseOperation('GetListOfSomethingForRef', basic=Route('get_a_list_of_something_for_ref_basic', IsA('shipment', FormTaskShipmentBE, may_be_none=True)), ec='get_a_list_of_something_for_ref_ec')


class Thing(Service):
    """The service.

    It's documented.
    """

    service_name = 'SomeService'

    def short(self, *, value: int) -> int:
        """Short."""
        return self._call(SHORT, locals()).short_result

    def get_something(self, *, search_parameters: SomethingSearch, base_url: str | None = None) -> list[Something]:
        """One line of parameters."""
        return self._call(GET_SOMETHING_FROM_THE_SERVICE, locals()).get_something_result or []

    def get_something_basic(self, *, search_parameters: SomethingSearch, system_user_name: str | Secret | None = None, system_password: str | Secret | None = None, base_url: str | None = None) -> list[Something]:
        """One parameter a line."""
        return self._call(GET_SOMETHING_FROM_THE_SERVICE, locals()).get_something_from_the_service_result

    def get_available_something(self, *, language_id: int | None = None, base_url: str | None = None) -> list[Something]:
        return self._call(GET_SOMETHING_FROM_THE_SERVICE, locals()).get_available_something_basic_v2_result or []

    def download(self, *, file_reference: str, reportee: str, base_url: str | None = None) -> AsyncDownload[DownloadFileStreamedBasicResponse] | AsyncDownload[DownloadFileStreamedECResponse]:
        raise self._unavailable('Download', (Binding.BASIC, Binding.EC))


class AsyncThing(AsyncService):
    async def get_something(self, *, search_parameters: SomethingSearch, base_url: str | None = None) -> list[Something]:
        return (await self._call(GET_SOMETHING_FROM_THE_SERVICE, locals())).get_something_result or []

    async def get_something_else(self, *, search_parameters: SomethingSearch, base_url: str | None = None) -> Something:
        return (await self._call(GET_SOMETHING_FROM_THE_SERVICE, locals())).get_something_else_result
'''

# xsdata's shapes the model pass settles: a long string bound to a name, a long field's head.
RAW_MODELS = """from dataclasses import dataclass, field

__NAMESPACE__ = "http://schemas.altinn.no/services/Intermediary/Shipment/IntermediaryInbound/2018/06"


@dataclass
class Shipment:
    class Meta:
        namespace = "http://www.altinn.no/services/Intermediary/Shipment/IntermediaryInbound/2009/10"

    end_user_system_signature_date_time: XmlDateTime | datetime.datetime | datetime.date | None = field(
        default=None,
        metadata={
            "name": "EndUserSystemSignatureDateTime",
            "type": "Element",
        },
    )
    x003_c_end_user_system_login_date_time_x003_e_k_backing_field: XmlDateTime | datetime.datetime | datetime.date = field(
        metadata={
            "name": "_x003C_EndUserSystemLoginDateTime_x003E_k__BackingField",
            "type": "Element",
        },
    )
"""


def _black_once(source: str) -> bool:
    """Black (after isort) leaves `source` as it is: one pass, not two."""
    sorted_imports = formatcache.isort.code(source, config=formatcache.ISORT)
    return formatcache.black.format_str(sorted_imports, mode=formatcache.MODE) == sorted_imports


def test_service_shapes_reach_black_as_black_writes_them() -> None:
    blackened = blacken_lines(RAW_SERVICE)
    assert blackened != RAW_SERVICE
    assert not _black_once(RAW_SERVICE)
    assert formatcache.format_source(blackened) == formatcache.format_source(RAW_SERVICE)
    assert _black_once(blackened)
    assert "Its docstring keeps 'single quotes'" in blackened  # docstrings are not code


def test_a_line_it_does_not_know_is_left_for_black() -> None:
    unknown = (
        "value = some_function(argument_one) + other_function(argument_two) * third(argument_3)"
        " - fourth(argument_4)\n"
    )
    assert len(unknown) > 100
    commented = "x = 'a'  # 'quoted'\n"
    assert blacken_lines(unknown + commented) == unknown + commented


def test_a_module_known_in_every_long_line_is_as_black_writes_it() -> None:
    """`generate` skips black on a module `blacken_module` calls known: such a module must be
    black's output already, and any other must be called unknown."""
    laid, known = blacken_module(RAW_SERVICE)
    assert known
    assert formatcache.sort_imports(laid) == formatcache.format_source(RAW_SERVICE)
    word = "a" * 30
    lone = [  # one argument, too long for its own line: black adds no comma (nor splits it)
        f'    x = some_function("{word} {word} {word} {word}")\n',
        f'    x = some_function(argument="{word} {word} {word}")\n',
        f"    x = some_function(other_function({word}_{word}_{word}_{word}))\n",
    ]
    for line in lone:
        source = f"def g() -> None:\n{line}"
        laid, known = blacken_module(source)
        assert not known, line
        assert laid == source
        assert formatcache.format_source(source) != source  # black does change it


def test_model_strings_and_fields_reach_black_as_black_writes_them() -> None:
    normalized = black_blank_lines(RAW_MODELS)
    assert normalized != RAW_MODELS
    assert formatcache.format_source(normalized) == formatcache.format_source(RAW_MODELS)
    assert _black_once(normalized)
