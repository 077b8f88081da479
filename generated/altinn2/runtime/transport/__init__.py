"""Transports beside the buffered SOAP exchange: MTOM (streamed uploads and downloads)."""
