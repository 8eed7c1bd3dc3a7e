/**
 * Private sources behind JSON Web Tokens: {@link org.arithmospora.auth.JwtSourceAccess}, the hub's
 * {@link org.arithmospora.hub.SourceAccess} for signed tokens, and {@link
 * org.arithmospora.auth.KeyFiles} to read their key.
 */
package org.arithmospora.auth;
