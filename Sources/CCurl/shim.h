#pragma once
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic; these wrappers fix one argument type each. */
static inline CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value)
{ return curl_easy_setopt(handle, option, value); }
static inline CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value)
{ return curl_easy_setopt(handle, option, value); }
static inline CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value)
{ return curl_easy_setopt(handle, option, value); }
static inline CURLcode ccurl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value)
{ return curl_easy_setopt(handle, option, value); }
static inline CURLcode ccurl_setopt_list(CURL *handle, CURLoption option, struct curl_slist *value)
{ return curl_easy_setopt(handle, option, value); }
static inline CURLcode ccurl_setopt_blob(CURL *handle, CURLoption option, struct curl_blob *value)
{ return curl_easy_setopt(handle, option, value); }
static inline CURLcode ccurl_setopt_write_function(CURL *handle, CURLoption option, curl_write_callback value)
{ return curl_easy_setopt(handle, option, value); }
static inline CURLcode ccurl_setopt_read_function(CURL *handle, CURLoption option, curl_read_callback value)
{ return curl_easy_setopt(handle, option, value); }

static inline CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value)
{ return curl_easy_getinfo(handle, info, value); }
static inline CURLcode ccurl_getinfo_certinfo(CURL *handle, struct curl_certinfo **value)
{ return curl_easy_getinfo(handle, CURLINFO_CERTINFO, value); }
