# nginx as a WebDAV server (and as a read-only plain HTTP server) on 127.0.0.1 for the
# http(s):// remote tests. Source after lib.sh and servers.sh.

NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
NGINX_DAV_MODULE=/usr/lib/nginx/modules/ngx_http_dav_ext_module.so

# start_nginx_webdav NAME [MODE] [USER PASSWORD]: serves $TEST_ROOT/www/NAME at
# http://127.0.0.1:PORT/NAME/... and exports WEBDAV_URL (the URL of the folder "models" in it)
# and WEBDAV_ROOT (the folder on disk). MODE "dav" (default) allows PUT, DELETE, MKCOL, COPY,
# MOVE, PROPFIND and OPTIONS; "readonly" serves the same files with GET and HEAD only. With
# USER and PASSWORD, every request needs basic auth. Environment:
#   WEBDAV_TLS=1                 serve https with a fresh self-signed certificate for 127.0.0.1,
#                                exported as WEBDAV_CA (a PEM file)
#   WEBDAV_REQUIRE_HEADER=N:V    answer 401 to requests without the header "N: V"
start_nginx_webdav() {
  local name=$1 mode=${2:-dav} user=${3:-} password=${4:-}
  local prefix="$TEST_ROOT/nginx-$name-$mode" port
  port=$(free_port)
  WEBDAV_ROOT="$TEST_ROOT/www/$name"
  mkdir -p "$prefix/tmp" "$prefix/logs" "$WEBDAV_ROOT"
  [[ -x "$NGINX_BIN" ]] || fail "nginx is not installed ($NGINX_BIN): run ./setup.sh test"

  local methods="" auth=""
  if [[ "$mode" == dav ]]; then
    [[ -f "$NGINX_DAV_MODULE" ]] || fail "the nginx WebDAV module is missing: install libnginx-mod-http-dav-ext"
    methods="dav_methods PUT DELETE MKCOL COPY MOVE;
      dav_ext_methods PROPFIND OPTIONS;
      dav_access user:rw group:r all:r;
      create_full_put_path off;"
  fi
  if [[ -n "$user" ]]; then
    printf '%s:%s\n' "$user" "$(openssl passwd -apr1 "$password")" >"$prefix/htpasswd"
    auth="auth_basic \"mlv test\"; auth_basic_user_file $prefix/htpasswd;"
  fi

  local listen="listen 127.0.0.1:$port;" scheme=http
  if [[ "${WEBDAV_TLS:-}" == 1 ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
      -addext subjectAltName=IP:127.0.0.1 -keyout "$prefix/key.pem" -out "$prefix/cert.pem" \
      >/dev/null 2>&1 || fail "openssl could not make a test certificate"
    listen="listen 127.0.0.1:$port ssl; ssl_certificate $prefix/cert.pem;
      ssl_certificate_key $prefix/key.pem;"
    scheme=https
    WEBDAV_CA="$prefix/cert.pem"
    export WEBDAV_CA
  fi
  if [[ -n "${WEBDAV_REQUIRE_HEADER:-}" ]]; then
    local header_name=${WEBDAV_REQUIRE_HEADER%%:*} header_value=${WEBDAV_REQUIRE_HEADER#*:}
    header_name=$(tr 'A-Z-' 'a-z_' <<<"$header_name")
    auth+=" if (\$http_$header_name != \"$header_value\") { return 401; }"
  fi

  cat >"$prefix/nginx.conf" <<EOF
$([[ "$mode" == dav ]] && echo "load_module $NGINX_DAV_MODULE;")
daemon off;
master_process off;
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log info;
events { worker_connections 256; }
http {
  access_log $prefix/logs/access.log;
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  client_max_body_size 0;
  server {
    $listen
    root $TEST_ROOT/www;
    location /$name/ {
      $methods
      $auth
    }
  }
}
EOF
  "$NGINX_BIN" -c "$prefix/nginx.conf" -p "$prefix" -e "$prefix/logs/error.log" \
    >"$TEST_ROOT/logs/nginx-$name-$mode.log" 2>&1 &
  wait_for_port "$port" "nginx ($name, $mode)" "$prefix/logs/error.log"
  WEBDAV_URL="$scheme://127.0.0.1:$port/$name/models"
  NGINX_ACCESS_LOG="$prefix/logs/access.log"
  export WEBDAV_URL WEBDAV_ROOT NGINX_ACCESS_LOG
}
