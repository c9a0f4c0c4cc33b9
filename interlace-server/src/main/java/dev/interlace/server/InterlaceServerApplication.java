package dev.interlace.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;

/**
 * The Interlace server: every stream declared in its configuration, served over HTTP. Its streams live in the
 * database of {@code spring.datasource.url} when set (PostgreSQL), else in the embedded DuckDB file of
 * {@code interlace.connections.default}. Boot's DataSource auto-configuration is excluded here and applied by
 * {@link ServerDataSourceConfiguration} only when a URL is set.
 *
 * @since 0.1.0
 */
@SpringBootApplication(exclude = DataSourceAutoConfiguration.class)
public class InterlaceServerApplication {

	public static void main(String[] args) {
		SpringApplication.run(InterlaceServerApplication.class, args);
	}

}
