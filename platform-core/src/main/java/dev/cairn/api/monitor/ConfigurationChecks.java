package dev.cairn.api.monitor;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The checks {@code bin/cairn set}, {@code create} and {@code remove} apply to a configuration
 * change, for editors that write to ConfigAdmin themselves (such as Felix's web console): the
 * same rules, the same messages, so no editor can store what the console would refuse.
 */
@ProviderType
public interface ConfigurationChecks {

    /**
     * Checks the properties a configuration is about to be stored with. Values may be typed or
     * text; framework properties ({@code service.*}, FileInstall's file name) are ignored.
     * Stored properties its Metatype description does not define (a job's {@code param.*} and
     * {@code storage.*}), which a form built from the description cannot show, are kept when
     * {@code properties} leaves them out.
     *
     * @param factoryPid the factory pid, or {@code null} for a singleton configuration
     * @return the properties to store: these and the kept ones, as plain text for a configuration
     *         read from a file, so that the file keeps the format a person wrote it in
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    Map<String, Object> checkUpdate(String factoryPid, String pid, Map<String, Object> properties);

    /**
     * Checks that a configuration may be deleted.
     *
     * @throws IllegalArgumentException when it may not, saying why (a configuration read from a
     *                                  file is deleted by deleting the file)
     */
    void checkDelete(String factoryPid, String pid);
}
