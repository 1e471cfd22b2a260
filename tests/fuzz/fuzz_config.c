/* ward — libFuzzer target: config.json parser and the JSON reader under it.
 * Build: ./configure --enable-fuzzing CC=clang; see tests/fuzz/README.md. */
#include <stddef.h>
#include <stdint.h>

#include "ward/oci_config.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct oci_config *cfg = NULL;
  struct werr err = { 0 };
  if (oci_config_parse_data ((const char *) data, size, "config.json", &cfg,
                             &err)
      == 0)
    {
      /* Walk what was built so that bad counts or pointers show up here. */
      for (size_t i = 0; i < cfg->n_mounts; i++)
        for (size_t j = 0; j < cfg->mounts[i].options.n; j++)
          (void) cfg->mounts[i].options.v[j][0];
      for (int t = 0; t < OCI_NS_COUNT; t++)
        (void) oci_config_namespace (cfg, (enum oci_ns_type) t);
      (void) oci_config_annotation (cfg, "run.oci.ward.policy");
      oci_config_free (cfg);
    }
  struct oci_process *proc = NULL;
  if (oci_process_parse_data ((const char *) data, size, "process.json", &proc,
                              &err)
      == 0)
    oci_process_free (proc);
  return 0;
}
