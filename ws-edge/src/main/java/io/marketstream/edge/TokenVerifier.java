package io.marketstream.edge;

import java.time.Instant;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;

/**
 * Checks the tokens of {@code auth} requests: JWTs signed with HMAC-SHA256 and the node's secret, with an
 * expiry ({@code exp}, required and honoured, no leeway) and the account id as subject ({@code sub}, a
 * whole number).
 */
final class TokenVerifier {
    private final JWTVerifier verifier;

    TokenVerifier(String secret) {
        this.verifier = JWT.require(Algorithm.HMAC256(secret)).withClaimPresence("exp").withClaimPresence("sub").build();
    }

    /** A verified token: the account it names and when it expires. */
    record Grant(long account, Instant expiresAt) {
    }

    /** @throws IllegalArgumentException with the reason the token is refused */
    Grant verify(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("token is required");
        }
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (JWTVerificationException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        try {
            long account = Long.parseLong(jwt.getSubject());
            if (account < 0) {
                throw new NumberFormatException();
            }
            return new Grant(account, jwt.getExpiresAtAsInstant());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the token's subject must be an account id (a whole number), was '"
                    + jwt.getSubject() + "'");
        }
    }
}
