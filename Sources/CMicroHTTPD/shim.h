#pragma once
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <microhttpd.h>

/* MHD_start_daemon, MHD_get_daemon_info and MHD_get_connection_info are variadic, so Swift cannot call
   them. These wrappers give each use a fixed signature. */

/* Starts a daemon with an internal epoll thread pool, MHD_USE_ITC (needed by MHD_quiesce_daemon, and to
   wake a thread when a connection is resumed) and MHD_ALLOW_SUSPEND_RESUME.
   Numeric options travel in `options` (terminated by MHD_OPTION_END); pointer options are explicit.
   `tls_cert_callback` is a gnutls_certificate_retrieve_function2 pointer passed as void * so this
   module does not import GnuTLS; when it is NULL the daemon speaks plain HTTP and `tls_priorities`
   and `tls_client_trust_pem` are ignored. `uri_log` runs once the request line is parsed, before the
   headers, and its result becomes the request context that `completed` receives. */
static inline struct MHD_Daemon *cmhd_start_daemon(
    const struct sockaddr *address, MHD_AccessHandlerCallback handler, void *handler_context,
    MHD_RequestCompletedCallback completed, MHD_NotifyConnectionCallback notify,
    void *(*uri_log)(void *context, const char *uri, struct MHD_Connection *connection), void *context,
    void *tls_cert_callback, const char *tls_priorities, const char *tls_client_trust_pem,
    const struct MHD_OptionItem *options)
{
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
    if (tls_cert_callback == NULL) {
        return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_context,
            MHD_OPTION_SOCK_ADDR, address,
            MHD_OPTION_NOTIFY_COMPLETED, completed, context,
            MHD_OPTION_NOTIFY_CONNECTION, notify, context,
            MHD_OPTION_URI_LOG_CALLBACK, uri_log, context,
            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
    }
    flags |= MHD_USE_TLS;
    /* MHD stores the trust pointer as given, and NULL means no client certificate request. */
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_context,
        MHD_OPTION_SOCK_ADDR, address,
        MHD_OPTION_NOTIFY_COMPLETED, completed, context,
        MHD_OPTION_NOTIFY_CONNECTION, notify, context,
        MHD_OPTION_URI_LOG_CALLBACK, uri_log, context,
        MHD_OPTION_HTTPS_CERT_CALLBACK, tls_cert_callback,
        MHD_OPTION_HTTPS_PRIORITIES, tls_priorities,
        MHD_OPTION_HTTPS_MEM_TRUST, tls_client_trust_pem,
        MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/* Returns the port the daemon listens on, or 0 when MHD cannot tell. */
static inline uint16_t cmhd_daemon_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/* Returns the number of open connections of the daemon, or 0 when MHD cannot tell. */
static inline unsigned int cmhd_daemon_connection_count(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info == NULL ? 0 : info->num_connections;
}

/* Returns the client's socket address, or NULL. */
static inline const struct sockaddr *cmhd_connection_client_address(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

/* Returns the connection's gnutls_session_t as void *, or NULL for plain HTTP. */
static inline void *cmhd_connection_tls_session(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    return info == NULL ? NULL : info->tls_session;
}

/* Returns the connection's socket, or -1. */
static inline int cmhd_connection_socket(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

/* Sets TCP_NODELAY on a socket, so a response written in two parts does not wait for a delayed ACK. */
static inline int cmhd_set_tcp_nodelay(int socket)
{
    int on = 1;
    return setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* Returns the pointer the connection-notify callback stored in the connection's socket context, or NULL. */
static inline void *cmhd_connection_socket_context(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == NULL ? NULL : info->socket_context;
}

/* Returns the milliseconds since the socket last received data, from TCP_INFO, or -1 when unknown. */
static inline int64_t cmhd_milliseconds_since_receive(int socket)
{
#ifdef TCP_INFO
    struct tcp_info info;
    socklen_t length = sizeof(info);
    if (getsockopt(socket, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) {
        return -1;
    }
    return (int64_t)info.tcpi_last_data_recv;
#else
    (void)socket;
    return -1;
#endif
}

/* Returns the status of the response queued on the connection, or 0 when none is queued. */
static inline unsigned int cmhd_connection_http_status(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_HTTP_STATUS);
    return info == NULL ? 0 : info->http_status;
}
