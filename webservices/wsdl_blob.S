/*
 * wsdl_blob.S - the WSDLs wsusd serves, embedded in the binary as data
 * (webservices/wsdl/*.wsdl), so the daemon needs no files at run time.
 * Each blob is followed by its end symbol; wsdl.c computes the length.
 */
#define WSDL_BLOB(sym, file)		\
	.section .rodata;		\
	.global sym;			\
	.global sym##_end;		\
	.balign 16;			\
sym:					\
	.incbin file;			\
sym##_end:				\
	.byte 0

WSDL_BLOB(wsdl_blob_client,     "MS-WUSP_ClientWebService.wsdl")
WSDL_BLOB(wsdl_blob_simpleauth, "MS-WUSP_SimpleAuthWebService.wsdl")
WSDL_BLOB(wsdl_blob_reporting,  "MS-WSUSSS_ReportingWebService.wsdl")
WSDL_BLOB(wsdl_blob_dssauth,    "MS-WSUSSS_DssAuthWebService.wsdl")
WSDL_BLOB(wsdl_blob_serversync, "MS-WSUSSS_ServerSyncWebService.wsdl")
WSDL_BLOB(wsdl_blob_apiremoting, "ApiRemoting30.wsdl")

	.section .note.GNU-stack,"",@progbits
