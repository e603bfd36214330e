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
     * Checks that the consoles may change this configuration at all: it has a Metatype
     * description, is not a targeted configuration ({@code pid|bundle}) and does not configure
     * the platform's own services (HTTP, the web console, FileInstall …), which change only in
     * their files.
     *
     * @throws IllegalArgumentException saying why not
     */
    void checkEditable(String factoryPid, String pid);

    /**
     * Checks the properties a configuration is about to be stored with (and that it may be
     * changed, as {@link #checkEditable}). Values may be typed or text, lists as arrays or
     * collections; framework properties given ({@code service.*}, FileInstall's file name) are
     * dropped: the stored file name stays. For an existing configuration its stored factory pid
     * counts, whatever {@code factoryPid} says.
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
     * Checks that a configuration may be deleted: it may be changed, and it was not read from a
     * file (such a one is deleted by deleting the file).
     *
     * @throws IllegalArgumentException when it may not, saying why
     */
    void checkDelete(String factoryPid, String pid);
}
