"""XML-RPC parsed safely: a document type declaration is refused in whatever encoding expat reads the body in
(UTF-8, UTF-16, ...), so the parser stops before any entity is defined, let alone expanded ("billion laughs",
external entities). Used by the portal's XML-RPC endpoint and by the beam channel's listener and client."""

import xmlrpc.client
from xml.parsers import expat


class UnsafeXml(ValueError):
    """XML that is refused: not well formed, or declaring a document type or entities."""


def refuse_document_type(raw):
    def refuse(*_):
        raise UnsafeXml("XML-RPC may not declare a document type or entities.")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    try:
        parser.Parse(raw, True)
    except expat.ExpatError:
        raise UnsafeXml("The XML-RPC message is not well-formed XML.") from None


def loads(raw):
    """(params, method name) of an XML-RPC message, or UnsafeXml; a fault response raises xmlrpc.client.Fault."""
    refuse_document_type(raw)
    try:
        return xmlrpc.client.loads(raw, use_builtin_types=True)
    except xmlrpc.client.Fault:
        raise
    except Exception:  # expat and xmlrpc raise several kinds for malformed XML-RPC; all mean the same here
        raise UnsafeXml("The message is not well-formed XML-RPC.") from None
