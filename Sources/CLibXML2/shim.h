// libxml2's SAX2 push parser, used directly by SuiviDomain's SafeXMLParser.
//
// Debian's libxml2 is built with ICU, and its encoding.h then pulls in the
// system ICU headers, which clash with the ICU that Foundation bundles. The
// only thing that define adds is two trailing pointer fields to
// xmlCharEncodingHandler, a struct Suivi never touches, so it is dropped.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/xmlerror.h>
