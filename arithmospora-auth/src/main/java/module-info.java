/**
 * Private sources behind JSON Web Tokens: {@link org.arithmospora.auth.JwtSourceAccess} decides,
 * for every transport, who may read which source.
 */
// Micrometer has only an Automatic-Module-Name: stable, which is all this warning is about.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.arithmospora.auth {
  requires transitive org.arithmospora.hub;
  requires transitive micrometer.core;
  requires com.nimbusds.jose.jwt;
  requires org.slf4j;

  exports org.arithmospora.auth;
}
