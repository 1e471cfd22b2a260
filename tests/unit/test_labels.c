/* ward — unit tests for the label handling that needs no active SELinux or
 * AppArmor: SELinux context and MLS level syntax, the context= mount option,
 * which mounts take it, what a host without SELinux/AppArmor refuses (and
 * ignores), the `exec` flag checks, and the container process state sent to
 * a seccomp agent.  No root needed.
 */
#include <stdlib.h>
#include <string.h>

#include "apparmor.h"
#include "proc_attrs.h"
#include "seccomp_notify.h"
#include "selinux_label.h"
#include "unit.h"
#include "ward/json.h"

static void
test_context_parse (void)
{
  struct werr err;
  struct selinux_context c;
  CHECK (
      selinux_context_parse ("system_u:system_r:container_t:s0:c1,c2", &c, &err)
      == 0);
  CHECK_STR_EQ (c.user, "system_u");
  CHECK_STR_EQ (c.role, "system_r");
  CHECK_STR_EQ (c.type, "container_t");
  CHECK_STR_EQ (c.level, "s0:c1,c2");

  CHECK (selinux_context_parse ("u:r:t", &c, &err) == 0);
  CHECK_STR_EQ (c.type, "t");
  CHECK_STR_EQ (c.level, "");

  CHECK (selinux_context_parse ("system_u:object_r:container_file_t:"
                                "s0-s15:c0.c1023",
                                &c, &err)
         == 0);
  CHECK_STR_EQ (c.type, "container_file_t");
  CHECK_STR_EQ (c.level, "s0-s15:c0.c1023");

  static const char *const bad[] = {
    "",
    "container_t",
    "u:r",
    "u:r:t:",
    "u::t:s0",
    ":r:t",
    "u:r:t t",
    "u:r:t:x0",
    "u:r:t:s0:",
    "u:r:t:s0:c1,",
    "u:r:t:s0:c5.c1",
    "u:r:t:s0:c1.c1",
    "u:r:t:s0-",
    "u:r:t:s0:d1",
    "u:r:$t:s0",
    "u:r:t:s0:c1,,c2",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      int r = selinux_context_parse (bad[i], &c, &err);
      if (!unit_check (r < 0, __FILE__, __LINE__, "bad context refused"))
        fprintf (stderr, "     accepted \"%s\"\n", bad[i]);
    }
  CHECK (selinux_context_parse ("u:r:t:s0:c5.c1", &c, &err) < 0);
  CHECK_STR_HAS (err.msg, "bad MLS level \"s0:c5.c1\"");
  CHECK (selinux_context_parse ("container_t", &c, &err) < 0);
  CHECK_STR_HAS (err.msg, "is not an SELinux context (user:role:type[:level])");

  /* Too long a part is an error, not a truncation. */
  char lng[600];
  memset (lng, 'a', sizeof lng);
  memcpy (lng, "u:r:", 4);
  lng[sizeof lng - 1] = '\0';
  CHECK (selinux_context_parse (lng, &c, &err) < 0);
  CHECK_STR_HAS (err.msg, "too long");
}

static void
test_levels (void)
{
  CHECK (selinux_level_valid ("s0"));
  CHECK (selinux_level_valid ("s15"));
  CHECK (selinux_level_valid ("s0:c0"));
  CHECK (selinux_level_valid ("s0:c1,c2,c30"));
  CHECK (selinux_level_valid ("s0:c0.c1023"));
  CHECK (selinux_level_valid ("s0:c1,c3.c7,c9"));
  CHECK (selinux_level_valid ("s0-s0:c0.c1023"));
  CHECK (selinux_level_valid ("s0:c1-s1:c1,c2"));
  CHECK (!selinux_level_valid (""));
  CHECK (!selinux_level_valid (NULL));
  CHECK (!selinux_level_valid ("s"));
  CHECK (!selinux_level_valid ("0"));
  CHECK (!selinux_level_valid ("s0:"));
  CHECK (!selinux_level_valid ("s0:c"));
  CHECK (!selinux_level_valid ("s0:c1."));
  CHECK (!selinux_level_valid ("s0:c3.c3"));
  CHECK (!selinux_level_valid ("s0:c9.c2"));
  CHECK (!selinux_level_valid ("s0-"));
  CHECK (!selinux_level_valid ("-s0"));
  CHECK (!selinux_level_valid ("s0:c1:c2"));
  CHECK (!selinux_level_valid ("s0 "));
}

static void
test_mount_option (void)
{
  const char *l = "system_u:object_r:container_file_t:s0:c1,c2";
  char *o = selinux_context_option (NULL, l);
  CHECK_STR_EQ (o, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
  free (o);
  o = selinux_context_option ("", l);
  CHECK_STR_EQ (o, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
  free (o);
  o = selinux_context_option ("mode=755,size=65536k", l);
  CHECK_STR_EQ (o, "mode=755,size=65536k,context=\"system_u:object_r:"
                   "container_file_t:s0:c1,c2\"");
  free (o);

  CHECK (selinux_mount_takes_label ("tmpfs", false));
  CHECK (selinux_mount_takes_label ("devpts", false));
  CHECK (selinux_mount_takes_label ("shm", false));
  CHECK (!selinux_mount_takes_label ("tmpfs", true));
  CHECK (!selinux_mount_takes_label ("bind", false));
  CHECK (!selinux_mount_takes_label ("proc", false));
  CHECK (!selinux_mount_takes_label ("sysfs", false));
  CHECK (!selinux_mount_takes_label ("cgroup", false));
  CHECK (!selinux_mount_takes_label ("cgroup2", false));
  CHECK (!selinux_mount_takes_label ("mqueue", false));
  CHECK (!selinux_mount_takes_label (NULL, false));

  /* Nothing to add without a label, or for a bind mount, on any host. */
  CHECK (selinux_mount_data ("tmpfs", false, "mode=755", NULL) == NULL);
  CHECK (selinux_mount_data ("tmpfs", false, "mode=755", "") == NULL);
  CHECK (selinux_mount_data ("tmpfs", true, "mode=755", l) == NULL);
  o = selinux_mount_data ("tmpfs", false, "mode=755", l);
  if (selinux_host_enabled ())
    CHECK_STR_EQ (o, "mode=755,context=\"system_u:object_r:container_file_t:"
                     "s0:c1,c2\"");
  else
    /* As crun: the label is ignored where SELinux is off. */
    CHECK (o == NULL);
  free (o);
}

static void
test_validate_selinux (void)
{
  struct werr err;
  struct oci_config cfg;
  memset (&cfg, 0, sizeof cfg);
  cfg.has_process = true;
  cfg.has_linux = true;
  CHECK (selinux_labels_validate (&cfg, &err) == 0);
  if (selinux_host_enabled ())
    UNIT_SKIP ("SELinux is enabled here: the disabled-host behaviour is "
               "not observable");
  cfg.process.selinux_label = "system_u:system_r:container_t:s0:c1,c2";
  CHECK (selinux_labels_validate (&cfg, &err) < 0);
  CHECK_STR_EQ (err.msg, "config.json: process.selinuxLabel: SELinux is not "
                         "enabled on this host");
  /* runc's rule: refused even when the label is malformed. */
  cfg.process.selinux_label = "garbage";
  CHECK (selinux_labels_validate (&cfg, &err) < 0);
  CHECK_STR_HAS (err.msg, "SELinux is not enabled");
  cfg.process.selinux_label = "";
  CHECK (selinux_labels_validate (&cfg, &err) == 0);
  /* The mount label alone is ignored, even malformed. */
  cfg.linux_.mount_label = "system_u:object_r:container_file_t:s0:c1,c2";
  CHECK (selinux_labels_validate (&cfg, &err) == 0);
  cfg.linux_.mount_label = "garbage";
  CHECK (selinux_labels_validate (&cfg, &err) == 0);

  /* In the init: the same refusal, for labels that come through exec. */
  CHECK (selinux_set_exec_label (NULL, &err) == 0);
  CHECK (selinux_set_exec_label ("", &err) == 0);
  CHECK (selinux_set_exec_label ("u:r:t:s0", &err) < 0);
  CHECK_STR_HAS (err.msg, "SELinux is not enabled on this host");
  CHECK (selinux_set_key_label ("u:r:t:s0", &err) < 0);
  CHECK_STR_HAS (err.msg, "SELinux is not enabled on this host");
}

static void
test_validate_apparmor (void)
{
  struct werr err;
  CHECK (apparmor_validate (NULL, "config.json: process.apparmorProfile", &err)
         == 0);
  CHECK (apparmor_validate ("", "config.json: process.apparmorProfile", &err)
         == 0);
  CHECK (apparmor_validate ("a\nb", "f", &err) < 0);
  CHECK_STR_HAS (err.msg, "f: a profile name holds no newline");
  if (apparmor_host_enabled ())
    {
      CHECK (apparmor_validate ("ward-test", "f", &err) == 0);
      UNIT_SKIP ("AppArmor is enabled here");
    }
  CHECK (apparmor_validate ("ward-test", "config.json: process.apparmorProfile",
                            &err)
         < 0);
  CHECK_STR_EQ (err.msg, "config.json: process.apparmorProfile: AppArmor "
                         "profile \"ward-test\" given but AppArmor is not "
                         "enabled on this host");
  /* "unconfined" asks for nothing: accepted, and applying it is a no-op. */
  CHECK (apparmor_validate ("unconfined", "f", &err) == 0);
  CHECK (apparmor_set_exec_profile ("unconfined", &err) == 0);
  CHECK (apparmor_set_exec_profile ("ward-test", &err) < 0);
  CHECK_STR_HAS (err.msg, "AppArmor is not enabled on this host");
}

static void
test_exec_flags (void)
{
  struct werr err;
  const char *good[] = { "CAP_CHOWN", "CAP_NET_ADMIN" };
  CHECK (proc_attrs_validate_exec_flags (good, 2, NULL, NULL, &err) == 0);
  CHECK (proc_attrs_validate_exec_flags (NULL, 0, NULL, NULL, &err) == 0);
  const char *bad[] = { "CAP_CHOWN", "CAP_FOO" };
  CHECK (proc_attrs_validate_exec_flags (bad, 2, NULL, NULL, &err) < 0);
  CHECK_STR_EQ (err.msg, "exec: --cap: unknown capability \"CAP_FOO\"");
  const char *lower[] = { "cap_chown" };
  CHECK (proc_attrs_validate_exec_flags (lower, 1, NULL, NULL, &err) < 0);
  CHECK_STR_HAS (err.msg, "unknown capability \"cap_chown\"");
  if (!apparmor_host_enabled ())
    {
      CHECK (proc_attrs_validate_exec_flags (NULL, 0, "p", NULL, &err) < 0);
      CHECK_STR_HAS (err.msg, "exec: --apparmor: AppArmor profile \"p\"");
    }
  if (!selinux_host_enabled ())
    {
      CHECK (proc_attrs_validate_exec_flags (NULL, 0, NULL, "u:r:t:s0", &err)
             < 0);
      CHECK_STR_EQ (err.msg, "exec: --process-label: SELinux is not enabled "
                             "on this host");
    }
}

static void
test_notify_state (void)
{
  struct oci_kv kv[] = { { .key = "org.example", .value = "v" } };
  struct oci_kvv ann = { .v = kv, .n = 1 };
  struct oci_seccomp s = { .listener_path = "/run/agent.sock",
                           .listener_metadata = "MKNOD=/dev/null" };
  struct seccomp_notify_state st = { .id = "c1",
                                     .status = "creating",
                                     .container_pid = 42,
                                     .process_pid = 43,
                                     .bundle = "/b",
                                     .annotations = &ann };
  char *json = seccomp_notify_state_json (&s, &st);
  CHECK (json != NULL);
  struct werr err;
  struct jnode *root = jnode_parse (json, strlen (json), &err);
  CHECK (root != NULL);
  if (root == NULL)
    return;
  CHECK_STR_EQ (jnode_str (jnode_get (root, "ociVersion")), "1.2.0");
  const struct jnode *fds = jnode_get (root, "fds");
  CHECK (jnode_len (fds) == 1);
  CHECK_STR_EQ (jnode_str (jnode_at (fds, 0)), "seccompFd");
  CHECK (jnode_int (jnode_get (root, "pid")) == 43);
  CHECK_STR_EQ (jnode_str (jnode_get (root, "metadata")), "MKNOD=/dev/null");
  const struct jnode *state = jnode_get (root, "state");
  CHECK_STR_EQ (jnode_str (jnode_get (state, "id")), "c1");
  CHECK_STR_EQ (jnode_str (jnode_get (state, "status")), "creating");
  CHECK (jnode_int (jnode_get (state, "pid")) == 42);
  CHECK_STR_EQ (jnode_str (jnode_get (state, "bundle")), "/b");
  CHECK_STR_EQ (
      jnode_str (jnode_get (jnode_get (state, "annotations"), "org.example")),
      "v");
  jnode_free (root);
  free (json);

  /* No metadata: no key; no annotations: no object. */
  s.listener_metadata = NULL;
  st.annotations = NULL;
  json = seccomp_notify_state_json (&s, &st);
  CHECK (json && strstr (json, "metadata") == NULL);
  CHECK (json && strstr (json, "annotations") == NULL);
  free (json);
}

int
main (void)
{
  RUN (test_context_parse);
  RUN (test_levels);
  RUN (test_mount_option);
  RUN (test_validate_selinux);
  RUN (test_validate_apparmor);
  RUN (test_exec_flags);
  RUN (test_notify_state);
  return unit_report ();
}
