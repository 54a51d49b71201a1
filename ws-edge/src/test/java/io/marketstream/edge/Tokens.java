package io.marketstream.edge;

import java.time.Instant;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;

/** Signs test tokens the way an exchange's login service would. */
final class Tokens {
    private Tokens() {
    }

    static String sign(String secret, long account, long expiresInSeconds) {
        return JWT.create().withSubject(Long.toString(account))
                .withExpiresAt(Instant.now().plusSeconds(expiresInSeconds)).sign(Algorithm.HMAC256(secret));
    }
}
