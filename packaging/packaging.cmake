# Installing like real software (included by the top-level CMakeLists.txt, where CPack must be):
# `cmake --install` lays out bin/, share/faqbot/, the man page and the systemd unit under the
# prefix; `cpack` (make package) turns the same layout into faqbot_<version>_amd64.deb.
# docs/install.md describes the layout.
include(GNUInstallDirs)

# The faqbot(1) man page, generated from the CLI's own --help at build time.
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/faqbot.1
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/faqbot_manpage.sh $<TARGET_FILE:faqbot>
          ${CMAKE_BINARY_DIR}/faqbot.1
  DEPENDS faqbot ${CMAKE_CURRENT_LIST_DIR}/faqbot_manpage.sh
  COMMENT "Generating the faqbot(1) man page from faqbot --help")
add_custom_target(faqbot_manpage ALL DEPENDS ${CMAKE_BINARY_DIR}/faqbot.1)

install(TARGETS faqbot RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Beside the executable as ../share/faqbot/lexicon.fwn, where OpenLexicon looks for it.
install(FILES ${CMAKE_BINARY_DIR}/lexicon.fwn DESTINATION ${CMAKE_INSTALL_DATADIR}/faqbot)
install(FILES ${CMAKE_SOURCE_DIR}/examples/slack-app-manifest.yml
              ${CMAKE_SOURCE_DIR}/examples/slack-app-manifest-http.yml
              ${CMAKE_CURRENT_LIST_DIR}/faqbot.env
        DESTINATION ${CMAKE_INSTALL_DATADIR}/faqbot)
install(FILES ${CMAKE_SOURCE_DIR}/examples/office-faq.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/faqbot/examples)
install(FILES ${CMAKE_BINARY_DIR}/faqbot.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The unit's ExecStart names the installed binary, so it is written at install time, when the
# prefix is final (cmake --install --prefix, or /usr inside cpack).
set(unit ${CMAKE_BINARY_DIR}/packaging/faqbot.service)
install(CODE "
  set(FAQBOT_INSTALL_BINDIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
  configure_file(\"${CMAKE_CURRENT_LIST_DIR}/faqbot.service.in\" \"${unit}\" @ONLY)")
install(FILES ${unit} DESTINATION lib/systemd/system)

# The Debian package.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME faqbot)
set(CPACK_PACKAGE_VENDOR faqbot)
set(CPACK_PACKAGE_CONTACT "faqbot maintainers <faqbot@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "self-hosted Slack assistant that answers the questions people keep asking you")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # faqbot_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# Depends: the shared libraries faqbot links (dpkg-shlibdeps), plus what the maintainer
# scripts run.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_CURRENT_LIST_DIR}/postinst
                                       ${CMAKE_CURRENT_LIST_DIR}/prerm
                                       ${CMAKE_CURRENT_LIST_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)

# Tests: the installed layout works on its own, and the unit passes systemd-analyze verify.
add_test(NAME install_layout
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/install_test.sh ${CMAKE_BINARY_DIR}
          ${CMAKE_SOURCE_DIR}/examples/office-faq.yml)
set_tests_properties(install_layout PROPERTIES TIMEOUT 300 LABELS integration)
add_test(NAME systemd_unit
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/systemd_unit_test.sh
          ${CMAKE_CURRENT_LIST_DIR}/faqbot.service.in $<TARGET_FILE:faqbot>
          ${CMAKE_BINARY_DIR}/faqbot.1)
set_tests_properties(systemd_unit PROPERTIES TIMEOUT 60 LABELS integration)
