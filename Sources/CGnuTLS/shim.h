#pragma once
#include <sys/types.h>
#include <sys/socket.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

/* gnutls_free is an extern function-pointer variable, which Swift 6 rejects as shared mutable state. */
static inline void cgnutls_free(void *pointer) { gnutls_free(pointer); }

/* GNUTLS_CURVE_TO_BITS is a function-like macro. */
static inline unsigned int cgnutls_curve_to_bits(gnutls_ecc_curve_t curve) { return GNUTLS_CURVE_TO_BITS(curve); }

/* Returns the socket that a session reads from, when it was set with gnutls_transport_set_int. */
static inline int cgnutls_session_socket(gnutls_session_t session) { return gnutls_transport_get_int(session); }
