# SPDX-License-Identifier: MIT
# Real-MMU checks (issue 5): scripts/verify.py boots tests/mmu/<arch> probes in QEMU and
# compares every access with `ptkit translate`. Included by the top CMakeLists.txt.
# QEMU is required: `make test` installs it (scripts/install-deps.sh); without it these
# tests fail rather than pass.
if(TARGET ptkit)
  find_program(PTKIT_PYTHON3 python3 REQUIRED)
  set(PTKIT_VERIFY ${PTKIT_PYTHON3} ${PROJECT_SOURCE_DIR}/scripts/verify.py
                   --ptkit $<TARGET_FILE:ptkit>)
  # Fixed seeds keep `make test` reproducible; larger random campaigns: scripts/verify.sh.
  foreach(fmt x86_64 x86_64-la57)
    add_test(NAME qemu_${fmt} COMMAND ${PTKIT_VERIFY} --format ${fmt} --count 400 --seed 1)
    set_tests_properties(qemu_${fmt} PROPERTIES TIMEOUT 120 LABELS qemu)
    # The comparison must notice a wrong PA and a wrong permission bit.
    foreach(kind pa perm)
      add_test(NAME qemu_${fmt}_inject_${kind}
               COMMAND ${PTKIT_VERIFY} --format ${fmt} --count 100 --seed 2 --inject ${kind})
      set_tests_properties(qemu_${fmt}_inject_${kind} PROPERTIES TIMEOUT 120 LABELS qemu)
    endforeach()
  endforeach()
  # KVM: skipped (exit 77) without /dev/kvm, without host LA57, or when this host's KVM
  # deviates from the architecture where TCG agrees with ptkit.
  foreach(fmt x86_64 x86_64-la57)
    add_test(NAME kvm_${fmt} COMMAND ${PTKIT_VERIFY} --format ${fmt} --count 400 --seed 1
                                     --accel kvm)
    set_tests_properties(kvm_${fmt} PROPERTIES TIMEOUT 180 LABELS "qemu;kvm"
                                               SKIP_RETURN_CODE 77)
  endforeach()
endif()
