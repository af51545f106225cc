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

# RISC-V (tests/mmu/riscv64): qemu-system-riscv64 -machine virt -cpu rv64,svnapot=on,svpbmt=on,
# probe entered in M-mode (-bios none), accesses in S- and U-mode. TCG only.
if(TARGET ptkit)
  foreach(fmt riscv-sv39 riscv-sv48 riscv-sv57)
    add_test(NAME qemu_${fmt} COMMAND ${PTKIT_VERIFY} --format ${fmt} --count 400 --seed 1)
    set_tests_properties(qemu_${fmt} PROPERTIES TIMEOUT 60 LABELS qemu)
    foreach(kind pa perm)
      add_test(NAME qemu_${fmt}_inject_${kind}
               COMMAND ${PTKIT_VERIFY} --format ${fmt} --count 100 --seed 2 --inject ${kind})
      set_tests_properties(qemu_${fmt}_inject_${kind} PROPERTIES TIMEOUT 60 LABELS qemu)
    endforeach()
  endforeach()
endif()

# arm64 (tests/mmu/aarch64): qemu-system-aarch64 -machine virt -cpu max, probe entered at EL1,
# accesses at EL1 and EL0 through TTBR0_EL1/TTBR1_EL1. TCG only. A granule or VA/PA size the
# emulated CPU lacks is reported as skipped (exit 77, the probe prints UNSUPPORTED).
if(TARGET ptkit)
  foreach(fmt arm64-4k-39 arm64-4k-48 arm64-4k-52 arm64-16k-36 arm64-16k-47 arm64-16k-52
              arm64-64k-42 arm64-64k-48 arm64-64k-52)
    add_test(NAME qemu_${fmt} COMMAND ${PTKIT_VERIFY} --format ${fmt} --count 400 --seed 1)
    set_tests_properties(qemu_${fmt} PROPERTIES TIMEOUT 60 LABELS qemu SKIP_RETURN_CODE 77)
  endforeach()
  # The comparison must notice a wrong PA and a wrong AP[2]: one format per granule + LPA2.
  foreach(fmt arm64-4k-48 arm64-4k-52 arm64-16k-47 arm64-64k-48)
    foreach(kind pa perm)
      add_test(NAME qemu_${fmt}_inject_${kind}
               COMMAND ${PTKIT_VERIFY} --format ${fmt} --count 100 --seed 2 --inject ${kind})
      set_tests_properties(qemu_${fmt}_inject_${kind} PROPERTIES TIMEOUT 60 LABELS qemu
                                                                SKIP_RETURN_CODE 77)
    endforeach()
  endforeach()
endif()

# Freestanding core on bare metal (issue 5, item 4; tests/mmu/x86_64-fs): the core compiled
# -ffreestanding -nostdlib builds the probe's own tables at boot with pt_map/pt_protect/
# pt_unmap, loads CR3 with them and compares pt_translate with real accesses. TCG, -cpu max.
# One build (fixture) for all images; the inject tests show a wrong PA / W bit is caught.
add_test(NAME qemu_fs_x86_64_build
         COMMAND sh ${PROJECT_SOURCE_DIR}/tests/mmu/x86_64-fs/build.sh
                 ${CMAKE_CURRENT_BINARY_DIR}/mmu-x86_64-fs)
set_tests_properties(qemu_fs_x86_64_build PROPERTIES TIMEOUT 300 LABELS qemu
                                                     FIXTURES_SETUP ptkit_fs_x86_64)
foreach(fmt x86_64 x86_64-la57)
  add_test(NAME qemu_fs_${fmt}
           COMMAND sh ${PROJECT_SOURCE_DIR}/tests/mmu/x86_64-fs/run.sh
                   ${CMAKE_CURRENT_BINARY_DIR}/mmu-x86_64-fs ${fmt})
  set_tests_properties(qemu_fs_${fmt} PROPERTIES TIMEOUT 150 LABELS qemu
                                                 FIXTURES_REQUIRED ptkit_fs_x86_64)
  foreach(kind pa perm)
    add_test(NAME qemu_fs_${fmt}_inject_${kind}
             COMMAND sh ${PROJECT_SOURCE_DIR}/tests/mmu/x86_64-fs/run.sh
                     ${CMAKE_CURRENT_BINARY_DIR}/mmu-x86_64-fs ${fmt} inject-${kind})
    set_tests_properties(qemu_fs_${fmt}_inject_${kind} PROPERTIES TIMEOUT 150 LABELS qemu
                                                       FIXTURES_REQUIRED ptkit_fs_x86_64)
  endforeach()
endforeach()

# ppc64 radix (tests/mmu/ppc64): qemu-system-ppc64 -machine powernv9, the probe is the firmware
# (-bios) and runs in hypervisor mode; quadrant 0 through PID 1 (`root`), quadrant 3 through
# PID 0 (`root1`); accesses with MSR[PR]=0 and 1. TCG only.
if(TARGET ptkit)
  foreach(fmt ppc64-radix-4k ppc64-radix-64k)
    add_test(NAME qemu_${fmt} COMMAND ${PTKIT_VERIFY} --format ${fmt} --count 400 --seed 1)
    set_tests_properties(qemu_${fmt} PROPERTIES TIMEOUT 60 LABELS qemu)
    foreach(kind pa perm)
      add_test(NAME qemu_${fmt}_inject_${kind}
               COMMAND ${PTKIT_VERIFY} --format ${fmt} --count 100 --seed 2 --inject ${kind})
      set_tests_properties(qemu_${fmt}_inject_${kind} PROPERTIES TIMEOUT 60 LABELS qemu)
    endforeach()
  endforeach()
endif()
