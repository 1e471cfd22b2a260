/* ward — config.json: the document, root, mounts, hooks, annotations, and
 * the public entry points of ward/oci_config.h.  process and linux live in
 * config_process.c and config_linux.c. */
#include "parse_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ward/cleanup.h"

static const char *const ns_names[OCI_NS_COUNT + 1] = {
  [OCI_NS_PID] = "pid",       [OCI_NS_NETWORK] = "network",
  [OCI_NS_MOUNT] = "mount",   [OCI_NS_IPC] = "ipc",
  [OCI_NS_UTS] = "uts",       [OCI_NS_USER] = "user",
  [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
  [OCI_NS_COUNT] = NULL,
};

const char *
oci_ns_type_name (enum oci_ns_type type)
{
  if ((unsigned) type >= OCI_NS_COUNT)
    return NULL;
  return ns_names[type];
}

int
oci_ns_type_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  for (int i = 0; i < OCI_NS_COUNT; i++)
    if (strcmp (name, ns_names[i]) == 0)
      return i;
  return -1;
}

/* ---- root --------------------------------------------------------------- */

static int
root_fields (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_root *root = out;
  if (pu_string (p, obj, "path", true, &root->path) < 0
      || pu_bool (p, obj, "readonly", &root->readonly, NULL) < 0)
    return -1;
  if (root->path[0] == '\0')
    return pu_fail_key (p, "path", "must not be empty");
  return 0;
}

/* ---- mounts ------------------------------------------------------------- */

/* Since runtime-spec 1.1 a relative `destination` is deprecated but allowed
 * on Linux ("MUST be interpreted as relative to /"), and runc accepts it, so
 * only an empty one is refused here; the mount code resolves it against the
 * container's "/". */
static int
parse_mount (struct pctx *p, const struct jnode *v, void *elem)
{
  struct oci_mount *m = elem;
  if (pu_string (p, v, "destination", true, &m->destination) < 0)
    return -1;
  if (m->destination[0] == '\0')
    return pu_fail_key (p, "destination", "must not be empty");
  if (pu_string (p, v, "type", false, &m->type) < 0
      || pu_string (p, v, "source", false, &m->source) < 0
      || pu_strv (p, v, "options", &m->options) < 0
      || pu_id_mappings (p, v, "uidMappings", &m->uid_mappings,
                         &m->n_uid_mappings)
             < 0
      || pu_id_mappings (p, v, "gidMappings", &m->gid_mappings,
                         &m->n_gid_mappings)
             < 0)
    return -1;
  return 0;
}

static void
mount_release (struct oci_mount *m)
{
  free (m->destination);
  free (m->type);
  free (m->source);
  oci_strv_free (&m->options);
  free (m->uid_mappings);
  free (m->gid_mappings);
}

/* ---- hooks -------------------------------------------------------------- */

static int
parse_hook (struct pctx *p, const struct jnode *v, void *elem)
{
  struct oci_hook *h = elem;
  if (pu_string (p, v, "path", true, &h->path) < 0)
    return -1;
  /* The spec extends execv(3) here: a hook path MUST be absolute, so that
   * no $PATH lookup decides which binary the runtime runs as root. */
  if (h->path[0] != '/')
    return pu_fail_key (p, "path", "must be an absolute path, got \"%.200s\"",
                        h->path);
  int64_t timeout;
  if (pu_strv (p, v, "args", &h->args) < 0 || pu_strv (p, v, "env", &h->env) < 0
      || pu_int (p, v, "timeout", false, 1, INT_MAX, &timeout, &h->has_timeout)
             < 0)
    return -1;
  if (h->has_timeout)
    h->timeout = (int) timeout;
  return 0;
}

static int
parse_hook_list (struct pctx *p, const struct jnode *obj, const char *key,
                 struct oci_hook_list *list)
{
  return pu_array_of (p, obj, key, sizeof *list->v, (void **) &list->v,
                      &list->n, parse_hook);
}

static int
hooks_fields (struct pctx *p, const struct jnode *obj, void *out)
{
  struct oci_hooks *h = out;
  if (parse_hook_list (p, obj, "prestart", &h->prestart) < 0
      || parse_hook_list (p, obj, "createRuntime", &h->create_runtime) < 0
      || parse_hook_list (p, obj, "createContainer", &h->create_container) < 0
      || parse_hook_list (p, obj, "startContainer", &h->start_container) < 0
      || parse_hook_list (p, obj, "poststart", &h->poststart) < 0
      || parse_hook_list (p, obj, "poststop", &h->poststop) < 0)
    return -1;
  return 0;
}

static void
hook_list_release (struct oci_hook_list *list)
{
  for (size_t i = 0; i < list->n; i++)
    {
      free (list->v[i].path);
      oci_strv_free (&list->v[i].args);
      oci_strv_free (&list->v[i].env);
    }
  free (list->v);
}

/* ---- the document ------------------------------------------------------- */

static int
process_fields (struct pctx *p, const struct jnode *obj, void *out)
{
  return oci_parse_process_obj (p, obj, out);
}

static int
linux_fields (struct pctx *p, const struct jnode *obj, void *out)
{
  return oci_parse_linux_obj (p, obj, out);
}

static int
parse_document (struct pctx *p, const struct jnode *doc, void *out)
{
  struct oci_config *cfg = out;
  if (pu_v_object (p, doc) < 0)
    return -1;
  if (pu_string (p, doc, "ociVersion", true, &cfg->oci_version) < 0)
    return -1;
  if (cfg->oci_version[0] == '\0')
    return pu_fail_key (p, "ociVersion", "must not be empty");
  if (pu_section (p, doc, "root", NULL, &cfg->root, root_fields) < 0
      || pu_section (p, doc, "process", &cfg->has_process, &cfg->process,
                     process_fields)
             < 0
      || pu_string (p, doc, "hostname", false, &cfg->hostname) < 0
      || pu_string (p, doc, "domainname", false, &cfg->domainname) < 0
      || pu_array_of (p, doc, "mounts", sizeof *cfg->mounts,
                      (void **) &cfg->mounts, &cfg->n_mounts, parse_mount)
             < 0
      || pu_section (p, doc, "hooks", &cfg->has_hooks, &cfg->hooks,
                     hooks_fields)
             < 0
      || pu_kvv (p, doc, "annotations", &cfg->annotations) < 0
      || pu_section (p, doc, "linux", &cfg->has_linux, &cfg->linux_,
                     linux_fields)
             < 0)
    return -1;
  return 0;
}

static void
config_free (void *cfg)
{
  oci_config_free (cfg);
}

int
oci_config_parse_data (const char *data, size_t len, const char *name,
                       struct oci_config **out, struct werr *err)
{
  return pu_parse_document (data, len, name, sizeof **out, parse_document,
                            config_free, (void **) out, err);
}

/* Read a whole regular file of at most JNODE_MAX_INPUT bytes. */
static int
read_document (const char *path, char **out, size_t *out_len, struct werr *err)
{
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return werr_set (err, errno, "open `%s`", path);
  size_t cap = 16384, len = 0;
  _cleanup_free_ char *buf = malloc (cap + 1);
  if (buf == NULL)
    return werr_set (err, ENOMEM, "read `%s`", path);
  for (;;)
    {
      if (len == cap)
        {
          if (cap > JNODE_MAX_INPUT)
            return werr_set (err, EFBIG, "read `%s`", path);
          char *nb = realloc (buf, cap * 2 + 1);
          if (nb == NULL)
            return werr_set (err, ENOMEM, "read `%s`", path);
          buf = nb;
          cap *= 2;
        }
      ssize_t n = read (fd, buf + len, cap - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return werr_set (err, errno, "read `%s`", path);
      if (n == 0)
        break;
      len += (size_t) n;
    }
  buf[len] = '\0';
  *out = take_ptr (&buf);
  *out_len = len;
  return 0;
}

int
oci_config_parse_file (const char *path, struct oci_config **out,
                       struct werr *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  if (read_document (path, &data, &len, err) < 0)
    return -1;
  const char *slash = strrchr (path, '/');
  const char *name = slash ? slash + 1 : path;
  return oci_config_parse_data (data, len, *name ? name : path, out, err);
}

void
oci_config_free (struct oci_config *cfg)
{
  if (cfg == NULL)
    return;
  free (cfg->oci_version);
  free (cfg->root.path);
  oci_process_release (&cfg->process);
  free (cfg->hostname);
  free (cfg->domainname);
  for (size_t i = 0; i < cfg->n_mounts; i++)
    mount_release (&cfg->mounts[i]);
  free (cfg->mounts);
  hook_list_release (&cfg->hooks.prestart);
  hook_list_release (&cfg->hooks.create_runtime);
  hook_list_release (&cfg->hooks.create_container);
  hook_list_release (&cfg->hooks.start_container);
  hook_list_release (&cfg->hooks.poststart);
  hook_list_release (&cfg->hooks.poststop);
  oci_kvv_free (&cfg->annotations);
  oci_linux_release (&cfg->linux_);
  free (cfg);
}

const struct oci_namespace *
oci_config_namespace (const struct oci_config *cfg, enum oci_ns_type type)
{
  if (cfg == NULL)
    return NULL;
  for (size_t i = 0; i < cfg->linux_.n_namespaces; i++)
    if (cfg->linux_.namespaces[i].type == type)
      return &cfg->linux_.namespaces[i];
  return NULL;
}

const char *
oci_config_annotation (const struct oci_config *cfg, const char *key)
{
  if (cfg == NULL || key == NULL)
    return NULL;
  for (size_t i = 0; i < cfg->annotations.n; i++)
    if (strcmp (cfg->annotations.v[i].key, key) == 0)
      return cfg->annotations.v[i].value;
  return NULL;
}
