# SPDX-License-Identifier: MIT
# Real-MMU checks (issue 5): scripts/verify.py boots tests/mmu/<arch> probes in QEMU and
# compares every access with `ptkit translate`. Included by the top CMakeLists.txt.
# QEMU is required: `make test` installs it (scripts/install-deps.sh); without it these
# tests fail rather than pass.
# The probes (tests/mmu/<arch>, built by tests/mmu/common/probe-build.sh):
# - x86_64: qemu-system-x86_64 -machine pc -cpu max (multiboot), accesses at CPL 0 and 3.
# - RISC-V: qemu-system-riscv64 -machine virt -cpu rv64,svnapot=on,svpbmt=on, probe entered in
#   M-mode (-bios none), accesses in S- and U-mode.
# - arm64: qemu-system-aarch64 -machine virt -cpu max, probe entered at EL1, accesses at EL1
#   and EL0 through TTBR0_EL1/TTBR1_EL1. A granule or VA/PA size the emulated CPU lacks is
#   reported as skipped (exit 77, the probe prints UNSUPPORTED).
# - ppc64 radix: qemu-system-ppc64 -machine powernv9, the probe is the firmware (-bios) and
#   runs in hypervisor mode; quadrant 0 through PID 1 (`root`), quadrant 3 through PID 0
#   (`root1`); accesses with MSR[PR]=0 and 1.
# TCG only, except the kvm_ tests. Fixed seeds keep `make test` reproducible; larger random
# campaigns: scripts/verify.sh or `ptkit verify`.
if(TARGET ptkit)
  find_program(PTKIT_PYTHON3 python3 REQUIRED)
  set(PTKIT_VERIFY ${PTKIT_PYTHON3} ${PROJECT_SOURCE_DIR}/scripts/verify.py
                   --ptkit $<TARGET_FILE:ptkit>)
  foreach(fmt x86_64 x86_64-la57 riscv-sv39 riscv-sv48 riscv-sv57 arm64-4k-39 arm64-4k-48
              arm64-4k-52 arm64-16k-36 arm64-16k-47 arm64-16k-52 arm64-64k-42 arm64-64k-48
              arm64-64k-52 ppc64-radix-4k ppc64-radix-64k)
    add_test(NAME qemu_${fmt} COMMAND ${PTKIT_VERIFY} --format ${fmt} --count 400 --seed 1)
    set_tests_properties(qemu_${fmt} PROPERTIES TIMEOUT 120 LABELS qemu SKIP_RETURN_CODE 77)
  endforeach()
  # The comparison must notice a wrong PA and a wrong permission bit (arm64: one format per
  # granule + LPA2).
  foreach(fmt x86_64 x86_64-la57 riscv-sv39 riscv-sv48 riscv-sv57 arm64-4k-48 arm64-4k-52
              arm64-16k-47 arm64-64k-48 ppc64-radix-4k ppc64-radix-64k)
    foreach(kind pa perm)
      add_test(NAME qemu_${fmt}_inject_${kind}
               COMMAND ${PTKIT_VERIFY} --format ${fmt} --count 100 --seed 2 --inject ${kind})
      set_tests_properties(qemu_${fmt}_inject_${kind} PROPERTIES TIMEOUT 120 LABELS qemu
                                                                SKIP_RETURN_CODE 77)
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

# Freestanding core on bare metal (issue 5, item 4; tests/mmu/<arch>-fs driven by
# tests/mmu/common/fs.c): the core, compiled -ffreestanding -nostdlib (cross-compiled for
# arm64, RISC-V and ppc64), builds the probe's tables at boot with pt_map/pt_protect/pt_unmap
# for every leaf size up to 1G (contiguous and NAPOT groups included), both halves and the
# edges of the address space, turns the MMU on and compares pt_translate with real kernel
# and user loads, stores and fetches, before and after live changes (TLB flushed through the
# gather hook). One build (fixture) per architecture; the inject tests show that a wrong
# PA / write permission is caught. TCG only.
foreach(arch_fmts "x86_64:x86_64,x86_64-la57"
                  "aarch64:arm64-4k-48,arm64-4k-39,arm64-4k-52,arm64-16k-36,arm64-16k-47,arm64-16k-52,arm64-64k-42,arm64-64k-48,arm64-64k-52"
                  "riscv64:riscv-sv48,riscv-sv39,riscv-sv57"
                  "ppc64:ppc64-radix-64k,ppc64-radix-4k")
  string(REPLACE ":" ";" arch_fmts "${arch_fmts}")
  list(GET arch_fmts 0 arch)
  list(GET arch_fmts 1 fmts)
  string(REPLACE "," ";" fmts "${fmts}")
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/mmu-${arch}-fs)
  add_test(NAME qemu_fs_${arch}_build
           COMMAND sh ${PROJECT_SOURCE_DIR}/tests/mmu/common/fs-build.sh ${arch} ${dir})
  set_tests_properties(qemu_fs_${arch}_build PROPERTIES TIMEOUT 600 LABELS qemu
                                                        FIXTURES_SETUP ptkit_fs_${arch})
  foreach(fmt ${fmts})
    add_test(NAME qemu_fs_${fmt}
             COMMAND sh ${PROJECT_SOURCE_DIR}/tests/mmu/common/fs-run.sh ${arch} ${dir} ${fmt})
    set_tests_properties(qemu_fs_${fmt} PROPERTIES TIMEOUT 150 LABELS qemu SKIP_RETURN_CODE 77
                                                   FIXTURES_REQUIRED ptkit_fs_${arch})
  endforeach()
  # The first format of each architecture also has the inject images (fs-build.sh).
  list(GET fmts 0 fmt)
  foreach(kind pa perm)
    add_test(NAME qemu_fs_${fmt}_inject_${kind}
             COMMAND sh ${PROJECT_SOURCE_DIR}/tests/mmu/common/fs-run.sh ${arch} ${dir} ${fmt}
                     inject-${kind})
    set_tests_properties(qemu_fs_${fmt}_inject_${kind} PROPERTIES TIMEOUT 150 LABELS qemu
                                                        FIXTURES_REQUIRED ptkit_fs_${arch})
  endforeach()
endforeach()
